// What nodes of a cluster tell each other over NATS JetStream (docs/cluster.md "Events"): the
// events of the system event port (core/events.ts) that another node acts on, as JSON. One schema
// per wire shape, parsed on receipt: a message from another version or a stranger is dropped.

import { z } from "zod";

/**
 * The names one cluster uses on NATS, from `cluster.name`, so two clusters (staging, production)
 * can share one NATS: events on `<name>.events.<type>`, kept in the stream `<name>_events`.
 */
export function clusterSubjects(name: string) {
  return {
    events: `${name}.events`,
    eventStream: `${name}_events`,
  };
}

const origin = z.string().min(1).max(64);

export const remoteEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("mailboxChanged"), origin, userId: z.string().min(1) }),
  /** `address` as core/address.ts formats it. */
  z.strictObject({ type: z.literal("targetAvailable"), origin, address: z.string().min(1) }),
  z.strictObject({ type: z.literal("outboxDue"), origin }),
]);

export type RemoteEvent = z.infer<typeof remoteEventSchema>;
