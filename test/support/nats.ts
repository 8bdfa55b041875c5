// The NATS server with JetStream the cluster tests use (127.0.0.1:4222 on the development and CI
// machines, or OMNIVOX_TEST_NATS_URL). Unreachable: the test is skipped with what to start, or
// fails under OMNIVOX_REQUIRE_PEERS=1. Each test gets its own cluster name, so tests running at
// once on one NATS never see each other's events.

import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

export const TEST_NATS_URL = process.env.OMNIVOX_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

let check: Promise<string | undefined> | undefined;

/** `{ skip }` for node:test when NATS with JetStream does not answer; throws when required. */
export async function natsPeer(): Promise<{ skip?: string }> {
  check ??= (async () => {
    try {
      const nc = await connect({ servers: TEST_NATS_URL, timeout: 3000 });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
      } finally {
        await nc.close();
      }
      return undefined;
    } catch (err) {
      return `NATS with JetStream not reachable at ${TEST_NATS_URL} (${(err as Error).message}); start nats-server -js, or set OMNIVOX_TEST_NATS_URL`;
    }
  })();
  const why = await check;
  if (why && process.env.OMNIVOX_REQUIRE_PEERS === "1") throw new Error(`${why} (required)`);
  return why ? { skip: why } : {};
}

/** A cluster name of its own for one test; `dropCluster` removes its streams after. */
export function testClusterName(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

export async function dropCluster(name: string): Promise<void> {
  const nc = await connect({ servers: TEST_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    // The event stream, and the KV buckets (streams named KV_<bucket>).
    const ours = (stream: string) =>
      stream.startsWith(`${name}_`) || stream.startsWith(`KV_${name}_`);
    const names: string[] = [];
    for await (const stream of jsm.streams.list()) names.push(stream.config.name);
    for (const stream of names.filter(ours)) await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
}
