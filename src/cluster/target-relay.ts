// Sticky connections across the nodes of a cluster (docs/cluster.md "Sticky connections"): the
// node holding a target's connection (a web client's socket) listens on a NATS subject named for
// the target and announces itself in a JetStream KV bucket; any other node forwards the delivery
// there by request/reply and hears back once the client acked. "No responders" means no node
// holds the target: the delivery is held as it would be on one node. Presence entries are
// refreshed while held and expire when a node dies without withdrawing them.

import { StorageType } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import {
  type Msg,
  type NatsConnection,
  RequestError,
  type Subscription,
  TimeoutError,
} from "@nats-io/transport-node";
import type { Logger } from "pino";
import { DeliveryError, TargetUnavailableError } from "../core/errors.ts";
import type { TargetRelay } from "../core/ports.ts";
import {
  clusterSubjects,
  type RelayReply,
  relayReplySchema,
  relayRequestSchema,
  targetKey,
} from "./wire.ts";

export interface TargetRelayOptions {
  nodeId: string;
  name: string;
  /** How long a forward waits for the holder's answer (the client's ack timeout and some). */
  timeoutMs: number;
  logger: Logger;
  /** How often held targets are announced again (default 20 s); entries live three times that. */
  refreshMs?: number;
}

export interface ClusterTargetRelay extends TargetRelay {
  close(): Promise<void>;
}

interface Held {
  sub: Subscription;
  revision?: number;
}

export async function createTargetRelay(
  nc: NatsConnection,
  options: TargetRelayOptions,
): Promise<ClusterTargetRelay> {
  const { nodeId, logger } = options;
  const names = clusterSubjects(options.name);
  const log = logger.child({ component: "cluster-relay" });
  const refreshMs = options.refreshMs ?? 20_000;
  const kv: KV = await new Kvm(nc).create(names.presence, {
    history: 1,
    ttl: refreshMs * 3,
    // Soft state: after a NATS restart every holder announces itself again within refreshMs.
    storage: StorageType.Memory,
  });
  /** key → the node that last announced it (this node's own entries included). */
  const holders = new Map<string, string>();
  const watch = await kv.watch();
  const watching = (async () => {
    for await (const e of watch) {
      if (e.operation === "PUT") holders.set(e.key, e.string());
      else holders.delete(e.key);
    }
  })().catch((err: unknown) => log.error({ err: String(err) }, "cluster: presence watch ended"));

  const held = new Map<string, Held>();
  const announce = (key: string, entry: Held) =>
    kv.put(key, nodeId).then(
      (revision) => {
        entry.revision = revision;
      },
      (err: unknown) =>
        log.warn({ err: String(err) }, "cluster: presence not announced; other nodes hold"),
    );
  const refresh = setInterval(() => {
    for (const [key, entry] of held) void announce(key, entry);
  }, refreshMs);
  refresh.unref();

  const answer = (msg: Msg, reply: RelayReply) => msg.respond(JSON.stringify(reply));

  return {
    heldElsewhere(target) {
      const holder = holders.get(targetKey(target));
      return holder !== undefined && holder !== nodeId;
    },

    async forward(target, id, body, opts) {
      const key = targetKey(target);
      const subject = `${names.hold}.${key}`;
      const timeout = opts?.timeoutMs ?? options.timeoutMs;
      let msg: Msg;
      try {
        msg = await nc.request(subject, JSON.stringify({ id, body }), { timeout });
      } catch (err) {
        if (err instanceof RequestError && err.isNoResponders()) {
          // A stale announcement (its node died): forget it until a node announces it again,
          // or the outbox would release and hold the delivery in a loop.
          holders.delete(key);
          throw new TargetUnavailableError(`${target} is not connected to any node`);
        }
        if (err instanceof TimeoutError || err instanceof RequestError)
          throw new TargetUnavailableError(
            `${target}: the node holding it did not answer within ${timeout} ms`,
          );
        throw new DeliveryError(`${target}: cannot forward: ${(err as Error).message}`, false);
      }
      const reply = relayReplySchema.safeParse(safeJson(msg));
      if (!reply.success)
        throw new DeliveryError(`${target}: the holding node's answer is not understood`, false);
      if (reply.data.ok) return reply.data.result;
      if (reply.data.unavailable) throw new TargetUnavailableError(reply.data.message);
      throw new DeliveryError(reply.data.message, reply.data.permanent ?? false);
    },

    hold(target, deliver) {
      const key = targetKey(target);
      const sub = nc.subscribe(`${names.hold}.${key}`, {
        callback: (err, msg) => {
          if (err) return;
          const request = relayRequestSchema.safeParse(safeJson(msg));
          if (!request.success) {
            answer(msg, {
              ok: false,
              unavailable: false,
              message: "forwarded delivery not understood",
            });
            return;
          }
          deliver(request.data.id, request.data.body).then(
            (result) =>
              answer(msg, { ok: true, ...(typeof result === "string" ? { result } : {}) }),
            (e: unknown) =>
              answer(msg, {
                ok: false,
                unavailable: e instanceof TargetUnavailableError,
                message: e instanceof Error ? e.message : String(e),
                ...(e instanceof DeliveryError && e.permanent ? { permanent: true } : {}),
              }),
          );
        },
      });
      const entry: Held = { sub };
      held.get(key)?.sub.unsubscribe();
      held.set(key, entry);
      void announce(key, entry);
      return () => {
        if (held.get(key) !== entry) return;
        held.delete(key);
        sub.unsubscribe();
        // Only this node's own announcement: one made since by another node stays.
        if (entry.revision !== undefined)
          kv.delete(key, { previousSeq: entry.revision }).catch(() => undefined);
      };
    },

    async close() {
      clearInterval(refresh);
      for (const [key, entry] of held) {
        entry.sub.unsubscribe();
        if (entry.revision !== undefined)
          await kv.delete(key, { previousSeq: entry.revision }).catch(() => undefined);
      }
      held.clear();
      watch.stop();
      await watching;
    },
  };
}

function safeJson(msg: Msg): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
}
