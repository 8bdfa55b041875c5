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
    /** `<name>.hold.<key>`: the nodes holding a target's connection listen there. */
    hold: `${name}.hold`,
    /** KV bucket: target key → the node holding it. */
    presence: `${name}_presence`,
    /** KV bucket: link name (as a key) → the node that owns it. */
    leases: `${name}_leases`,
  };
}

/** A target (a formatted address) or link name as one subject token and KV key: base64url. */
export function targetKey(target: string): string {
  return Buffer.from(target, "utf8").toString("base64url");
}

const origin = z.string().min(1).max(64);

export const remoteEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("mailboxChanged"), origin, userId: z.string().min(1) }),
  /** `address` as core/address.ts formats it. */
  z.strictObject({ type: z.literal("targetAvailable"), origin, address: z.string().min(1) }),
  z.strictObject({ type: z.literal("outboxDue"), origin }),
  z.strictObject({ type: z.literal("profileChanged"), origin, userId: z.string().min(1) }),
]);

export type RemoteEvent = z.infer<typeof remoteEventSchema>;

/** A forwarded delivery: the event's id (what the client acks) and the text written to it. */
export const relayRequestSchema = z.strictObject({ id: z.string().min(1), body: z.string() });
export type RelayRequest = z.infer<typeof relayRequestSchema>;

/** The holder's answer: delivered, or why not (unavailable: the client left meanwhile). */
export const relayReplySchema = z.discriminatedUnion("ok", [
  z.strictObject({ ok: z.literal(true), result: z.string().max(1024).optional() }),
  z.strictObject({
    ok: z.literal(false),
    unavailable: z.boolean(),
    message: z.string(),
    /** Trying again cannot help (DeliveryError.permanent on the holder). */
    permanent: z.boolean().optional(),
  }),
]);
export type RelayReply = z.infer<typeof relayReplySchema>;
