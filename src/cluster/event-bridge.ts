// Carries the events of the system event port (core/events.ts) between the nodes of a cluster
// over a NATS JetStream stream (docs/cluster.md "Events"): what one node emits that another acts
// on is published, and what other nodes publish is emitted here as if it had happened here. The
// events are hints — the state they point at is in the shared database — so a lost one costs a
// poll interval, never a message; the stream keeps them a few minutes so a node that reconnects
// catches up, and a message id per event lets JetStream drop a publish that was retried.

import { randomBytes } from "node:crypto";
import {
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { formatAddress, parseAddress } from "../core/address.ts";
import type { SystemEvents } from "../core/events.ts";
import { clusterSubjects, type RemoteEvent, remoteEventSchema } from "./wire.ts";

export interface EventBridgeOptions {
  nodeId: string;
  /** `cluster.name`: namespaces the stream and subjects. */
  name: string;
  logger: Logger;
}

export interface EventBridge {
  /**
   * Tells the other nodes that a user's profile or MWI switches changed here; they emit
   * `profileChanged`. (Not an event of this node's port: here the change is already applied.)
   */
  announceProfileChanged(userId: string): void;
  /** Events published and received (for /metrics and tests). */
  readonly counts: { published: number; received: number; dropped: number; failed: number };
  close(): Promise<void>;
}

const MS = 1_000_000; // JetStream durations are nanoseconds
/** Long enough for a node that lost NATS for a moment to catch up; events are hints. */
const KEEP_MS = 10 * 60_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;

export async function bridgeEvents(
  nc: NatsConnection,
  events: SystemEvents,
  options: EventBridgeOptions,
): Promise<EventBridge> {
  const { nodeId, logger } = options;
  const names = clusterSubjects(options.name);
  const log = logger.child({ component: "cluster-events" });
  await ensureStream(await jetstreamManager(nc), names.eventStream, `${names.events}.>`);
  const js = jetstream(nc);
  const counts = { published: 0, received: 0, dropped: 0, failed: 0 };
  // Ids unique across restarts of this node, so the duplicate window never drops a new event.
  const boot = randomBytes(6).toString("base64url");
  let seq = 0;
  let replaying = false;

  const publish = (event: RemoteEvent) => {
    if (replaying) return;
    js.publish(`${names.events}.${event.type}`, JSON.stringify(event), {
      msgID: `${nodeId}.${boot}.${++seq}`,
    }).then(
      () => counts.published++,
      (err: unknown) => {
        counts.failed++;
        log.warn(
          { err: String(err), type: event.type },
          "cluster: event not published; other nodes see it at their next poll",
        );
      },
    );
  };
  const off = [
    events.on("mailboxChanged", (userId) =>
      publish({ type: "mailboxChanged", origin: nodeId, userId }),
    ),
    events.on("committed", (_c, _claimed, unclaimed) => {
      if (unclaimed > 0) publish({ type: "outboxDue", origin: nodeId });
    }),
    events.on("targetAvailable", (address) =>
      publish({ type: "targetAvailable", origin: nodeId, address: formatAddress(address) }),
    ),
  ];

  const replay = (event: RemoteEvent) => {
    replaying = true;
    try {
      if (event.type === "mailboxChanged") events.emit("mailboxChanged", event.userId);
      else if (event.type === "outboxDue") events.emit("outboxDue");
      else if (event.type === "profileChanged") events.emit("profileChanged", event.userId);
      else events.emit("targetAvailable", parseAddress(event.address));
    } finally {
      replaying = false;
    }
  };
  const onMessage = (m: JsMsg) => {
    let event: RemoteEvent;
    try {
      event = remoteEventSchema.parse(m.json());
    } catch (err) {
      counts.dropped++;
      log.warn({ subject: m.subject, err: String(err) }, "cluster: event not understood, dropped");
      return;
    }
    if (event.origin === nodeId) return;
    counts.received++;
    try {
      replay(event);
    } catch (err) {
      counts.dropped++;
      log.warn({ subject: m.subject, err: String(err) }, "cluster: event not understood, dropped");
    }
  };

  // An ordered consumer from now on: no state on the server to clean up, and on a reconnect
  // it resumes after the last event it saw.
  const consumer = await js.consumers.get(names.eventStream, {
    filter_subjects: `${names.events}.>`,
    deliver_policy: DeliverPolicy.New,
  });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) onMessage(m);
  })().catch((err: unknown) => log.error({ err: String(err) }, "cluster: event stream ended"));

  return {
    announceProfileChanged: (userId) => publish({ type: "profileChanged", origin: nodeId, userId }),
    counts,
    async close() {
      for (const remove of off) remove();
      await messages.close();
      await loop;
    },
  };
}

/** Creates the stream, or accepts the one another node created first. */
async function ensureStream(jsm: JetStreamManager, name: string, subject: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch {}
  try {
    await jsm.streams.add({
      name,
      subjects: [subject],
      // Hints, not state: memory is enough, and a NATS restart loses only a poll interval.
      storage: StorageType.Memory,
      max_age: KEEP_MS * MS,
      duplicate_window: DUPLICATE_WINDOW_MS * MS,
      max_bytes: 64 * 1024 * 1024,
      discard: DiscardPolicy.Old,
    });
  } catch (err) {
    // Two nodes starting together: the other one's stream is as good as ours.
    await jsm.streams.info(name).catch(() => {
      throw err;
    });
  }
}
