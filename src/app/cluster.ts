// Cluster mode at start-up (docs/cluster.md): with a `cluster` section the node connects to NATS,
// agrees with the other nodes on one server secret kept in the shared database, and carries the
// event port's events between nodes. Without it, nothing here runs and no NATS is needed.

import { hostname } from "node:os";
import type { Logger } from "pino";
import { bridgeEvents, type EventBridge } from "../cluster/event-bridge.ts";
import { type ClusterLeases, createLeases } from "../cluster/leases.ts";
import { connectCluster } from "../cluster/nats.ts";
import { type ClusterTargetRelay, createTargetRelay } from "../cluster/target-relay.ts";
import type { Config } from "../config/schema.ts";
import type { SystemEvents } from "../core/events.ts";
import type { HttpDeps } from "../http/deps.ts";
import type { Store } from "../store/types.ts";

export interface ClusterNode {
  nodeId: string;
  /** The cluster's server secret: the first node's, for every node. */
  serverSecret: string;
  bridge: EventBridge;
  /** Delivery through the node holding a client's connection. */
  relay: ClusterTargetRelay;
  /** Which node runs each external link. */
  leases: ClusterLeases;
  /** NATS is connected (not reconnecting, not closed), for /healthz. */
  connected(): boolean;
  stop(): Promise<void>;
}

/** The host name, cut to what a node id may hold (config/schema.ts cluster.nodeId). */
export function defaultNodeId(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, "-")
      .slice(0, 64) || "node"
  );
}

export async function joinCluster(
  cluster: NonNullable<Config["cluster"]>,
  deps: {
    store: Store;
    events: SystemEvents;
    logger: Logger;
    localSecret: string;
    /** How long a client may take to ack (outbox.ackTimeoutMs): a forward waits that and some. */
    ackTimeoutMs: number;
  },
): Promise<ClusterNode> {
  const nodeId = cluster.nodeId ?? defaultNodeId();
  // This node's own secret is its proposal: a node turned into the first of a cluster keeps its
  // sessions and links; every later node takes the one already agreed.
  const serverSecret = await deps.store.clusterSettings.agree("server-secret", deps.localSecret);
  const nc = await connectCluster(cluster.nats, nodeId);
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnecting") connected = false;
      else if (s.type === "reconnect") connected = true;
      if (s.type === "disconnect" || s.type === "reconnect")
        deps.logger.warn({ nodeId, nats: s.type }, "cluster: NATS connection changed");
    }
  })();
  let bridge: EventBridge;
  let relay: ClusterTargetRelay;
  let leases: ClusterLeases;
  try {
    bridge = await bridgeEvents(nc, deps.events, {
      nodeId,
      name: cluster.name,
      logger: deps.logger,
    });
    relay = await createTargetRelay(nc, {
      nodeId,
      name: cluster.name,
      timeoutMs: deps.ackTimeoutMs + 5000,
      logger: deps.logger,
    });
    leases = await createLeases(nc, { nodeId, name: cluster.name, logger: deps.logger });
    await leases.claimNodeId().catch(async (err: unknown) => {
      await leases.close();
      throw err;
    });
  } catch (err) {
    await nc.close();
    throw err;
  }
  deps.logger.info({ nodeId, cluster: cluster.name }, "cluster: joined");
  return {
    nodeId,
    serverSecret,
    bridge,
    relay,
    leases,
    connected: () => connected && !nc.isClosed(),
    async stop() {
      await leases.close();
      await relay.close();
      await bridge.close();
      await nc.drain();
    },
  };
}

/** What /healthz says of this node: the store, and in a cluster NATS, its id and its links. */
export function nodeHealth(
  store: Pick<Store, "ping">,
  cluster: ClusterNode | undefined,
): Pick<HttpDeps, "health" | "nodeId" | "ownedLinks"> {
  const health = async () => ({
    store: await store.ping(),
    ...(cluster ? { cluster: cluster.connected() } : {}),
  });
  return cluster
    ? { health, nodeId: cluster.nodeId, ownedLinks: () => cluster.leases.owned() }
    : { health };
}
