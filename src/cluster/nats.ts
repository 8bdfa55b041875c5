// The NATS connection of a cluster node (docs/cluster.md): one per process, named for the node so
// `nats server report connections` shows who is who, reconnecting for ever once up. Failing to
// reach NATS at start-up stops the node with an error naming the key, as a bad database URL does.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ConfigError } from "../core/errors.ts";

export async function connectCluster(servers: string, nodeId: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: servers.split(",").map((s) => s.trim()),
      name: `omnivox-${nodeId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5000,
    });
  } catch (err) {
    throw new ConfigError(
      `cluster.nats: cannot reach NATS at ${redact(servers)} (${(err as Error).message}); start nats-server with JetStream (-js) there, or remove the cluster section to run one node`,
      { cause: err },
    );
  }
}

/** Servers fit for an error message: no user or password. */
function redact(servers: string): string {
  return servers.replace(/\/\/[^@/]*@/g, "//***@");
}
