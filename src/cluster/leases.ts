// One owner per external link across the nodes of a cluster (docs/cluster.md "Ownership"): a
// lease is a key in a JetStream KV bucket, taken with create (compare-and-set: only one node
// succeeds), renewed with update against the revision it holds, and gone when its node stops
// renewing — the bucket's TTL expires it. A node that cannot renew (another took it while this
// one was cut off) stops the work at once; every node that does not own a lease tries to take
// it at each renewal tick, so a dead owner's links move within the TTL and a tick.

import { StorageType } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { ConfigError } from "../core/errors.ts";
import type { LinkOwnership, OwnedWork } from "../core/ports.ts";
import { clusterSubjects, targetKey } from "./wire.ts";

export interface LeaseOptions {
  nodeId: string;
  name: string;
  logger: Logger;
  /** How long a lease outlives its owner's last renewal (default 6 s); renewed every third. */
  ttlMs?: number;
}

export interface ClusterLeases extends LinkOwnership {
  /**
   * Takes the lease on this node's own id (`node:<id>`) and keeps it while the node runs. A
   * leftover of this node killed a moment ago lapses within the TTL, which it waits for; one
   * that is still being renewed belongs to another running node with the same id: ConfigError.
   */
  claimNodeId(): Promise<void>;
  /** The names this node owns now (for /healthz, metrics and tests). */
  owned(): string[];
  /** Stops the owned work and gives the leases back, so others take them at their next tick. */
  close(): Promise<void>;
}

interface Lease {
  work: OwnedWork;
  revision?: number;
  /** A start, stop or renewal under way: ticks do not overlap. */
  busy: boolean;
}

export async function createLeases(
  nc: NatsConnection,
  options: LeaseOptions,
): Promise<ClusterLeases> {
  const { nodeId } = options;
  const log = options.logger.child({ component: "cluster-leases" });
  const ttlMs = options.ttlMs ?? 6000;
  const kv: KV = await new Kvm(nc).create(clusterSubjects(options.name).leases, {
    history: 1,
    ttl: ttlMs,
    // After a NATS restart the leases are gone: owners fail to renew and stop, and one node
    // takes each again at the next tick.
    storage: StorageType.Memory,
  });
  const leases = new Map<string, Lease>();
  let closed = false;

  const lose = async (name: string, lease: Lease, why: string) => {
    lease.revision = undefined;
    log.warn({ nodeId, link: name, why }, "cluster: lease lost; link stopped here");
    await lease.work
      .stop()
      .catch((err: unknown) =>
        log.error({ link: name, err: String(err) }, "cluster: stopping a lost link failed"),
      );
  };

  const tick = async (name: string, lease: Lease) => {
    if (lease.busy || closed) return;
    lease.busy = true;
    const key = targetKey(name);
    try {
      if (lease.revision !== undefined) {
        try {
          lease.revision = await kv.update(key, nodeId, lease.revision);
        } catch (err) {
          await lose(name, lease, String(err));
        }
        return;
      }
      let revision: number;
      try {
        revision = await kv.create(key, nodeId);
      } catch {
        return; // another node owns it
      }
      lease.revision = revision;
      try {
        await lease.work.start();
        log.info({ nodeId, link: name }, "cluster: lease taken; link started here");
      } catch (err) {
        // Give it back at once, so a node that can run it does.
        log.error(
          { link: name, err: String(err) },
          "cluster: link would not start; lease given back",
        );
        lease.revision = undefined;
        await kv.delete(key, { previousSeq: revision }).catch(() => undefined);
      }
    } finally {
      lease.busy = false;
    }
  };

  const timer = setInterval(
    () => {
      for (const [name, lease] of leases) void tick(name, lease);
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  const idle: OwnedWork = { start: async () => {}, stop: async () => {} };
  return {
    async claimNodeId() {
      const name = `node:${nodeId}`;
      const key = targetKey(name);
      let seen: number | undefined;
      for (const end = Date.now() + ttlMs * 2; ; ) {
        try {
          const revision = await kv.create(key, nodeId);
          leases.set(name, { work: idle, revision, busy: false });
          return;
        } catch {}
        const held = await kv.get(key).catch(() => null);
        const revision = held?.operation === "PUT" ? held.revision : undefined;
        if ((seen !== undefined && revision !== undefined && revision !== seen) || Date.now() > end)
          throw new ConfigError(
            `cluster.nodeId "${nodeId}" is in use by another running node of cluster "${options.name}"; give every node its own`,
          );
        seen = revision;
        await new Promise((r) => setTimeout(r, Math.max(50, ttlMs / 6)));
      }
    },
    async nodeRunning(id) {
      const entry = await kv.get(targetKey(`node:${id}`));
      return entry?.operation === "PUT";
    },
    own(name, work) {
      if (leases.has(name)) throw new Error(`cluster: ${name} is already owned by this node`);
      const lease: Lease = { work, busy: false };
      leases.set(name, lease);
      void tick(name, lease);
    },
    // The node's own id is no link it runs.
    owned: () =>
      [...leases].filter(([, l]) => l.revision !== undefined && l.work !== idle).map(([n]) => n),
    async close() {
      closed = true;
      clearInterval(timer);
      for (const [name, lease] of leases) {
        while (lease.busy) await new Promise((r) => setTimeout(r, 10));
        const revision = lease.revision;
        if (revision === undefined) continue;
        lease.revision = undefined;
        await lease.work.stop().catch(() => undefined);
        await kv.delete(targetKey(name), { previousSeq: revision }).catch(() => undefined);
      }
      leases.clear();
    },
  };
}
