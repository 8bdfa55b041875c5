// One owner per link against a real NATS JetStream server: of two nodes asking for one link only
// one runs it; when the owner is cut off it stops, and the other takes over within the TTL; a
// graceful close hands over at the next tick; a link that will not start is given back. A node id
// is one node's: a second running node with it is refused, a killed one's lapses and is retaken.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { dropCluster, natsPeer, TEST_NATS_URL, testClusterName } from "../../test/support/nats.ts";
import { until } from "../../test/support/until.ts";
import { ConfigError } from "../core/errors.ts";
import { type ClusterLeases, createLeases } from "./leases.ts";

const peer = await natsPeer();
const options = { ...peer, timeout: 30_000 };
const logger = pino({ level: "silent" });
const names: string[] = [];
const open: Array<{ nc: NatsConnection; leases: ClusterLeases }> = [];

after(async () => {
  for (const o of open) {
    await o.leases.close().catch(() => undefined);
    await o.nc.close().catch(() => undefined);
  }
  for (const name of names) await dropCluster(name);
});

async function node(name: string, nodeId: string) {
  const nc = await connect({ servers: TEST_NATS_URL });
  const leases = await createLeases(nc, { nodeId, name, logger, ttlMs: 900 });
  open.push({ nc, leases });
  const log: string[] = [];
  const work = (link: string, fail = false) => ({
    async start() {
      if (fail) throw new Error("cannot bind");
      log.push(`start ${link}`);
    },
    async stop() {
      log.push(`stop ${link}`);
    },
  });
  return { nc, leases, log, work };
}

function cluster(): string {
  const name = testClusterName();
  names.push(name);
  return name;
}

test(
  "of two nodes asking for a link, one runs it; cut off, it stops and the other takes over",
  options,
  async () => {
    const name = cluster();
    const a = await node(name, "a");
    a.leases.own("smdi:octel", a.work("smdi:octel"));
    await until("a owns the link", () => a.log.includes("start smdi:octel"));
    const b = await node(name, "b");
    b.leases.own("smdi:octel", b.work("smdi:octel"));
    await new Promise((r) => setTimeout(r, 1200));
    assert.deepEqual(b.log, [], "both nodes run the link");
    assert.deepEqual(a.leases.owned(), ["smdi:octel"]);

    const cut = Date.now();
    await a.nc.close();
    await until("a stops the link it can no longer renew", () => a.log.includes("stop smdi:octel"));
    await until("b takes the link over", () => b.log.includes("start smdi:octel"), 5000);
    assert.ok(Date.now() - cut < 3000, `took ${Date.now() - cut} ms`);
    assert.deepEqual(b.leases.owned(), ["smdi:octel"]);
  },
);

test("a graceful close hands the link over at the other node's next tick", options, async () => {
  const name = cluster();
  const a = await node(name, "a");
  const b = await node(name, "b");
  a.leases.own("legacy-sip", a.work("legacy-sip"));
  await until("a owns it", () => a.log.includes("start legacy-sip"));
  b.leases.own("legacy-sip", b.work("legacy-sip"));
  await a.leases.close();
  assert.deepEqual(a.log, ["start legacy-sip", "stop legacy-sip"]);
  await until("b takes it", () => b.log.includes("start legacy-sip"), 2000);
});

test("a link that will not start is given back for a node that can run it", options, async () => {
  const name = cluster();
  const a = await node(name, "a");
  a.leases.own("smdi:listen", a.work("smdi:listen", true));
  await new Promise((r) => setTimeout(r, 200));
  const b = await node(name, "b");
  b.leases.own("smdi:listen", b.work("smdi:listen"));
  await until("b runs it", () => b.log.includes("start smdi:listen"), 3000);
  assert.deepEqual(a.leases.owned(), []);
});

test(
  "a node id another running node holds is refused; once that node stops, it is taken",
  options,
  async () => {
    const name = cluster();
    const first = await node(name, "vm1");
    await first.leases.claimNodeId();
    const second = await node(name, "vm1");
    await assert.rejects(second.leases.claimNodeId(), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /cluster\.nodeId "vm1" is in use by another running node/);
      return true;
    });
    await first.leases.close();
    await second.leases.claimNodeId();
    assert.deepEqual(second.leases.owned(), []);
  },
);

test("the id of a node killed a moment ago is taken once its entry lapses", options, async () => {
  const name = cluster();
  const killed = await node(name, "vm2");
  await killed.leases.claimNodeId();
  // Killed: its connection goes without a word, and nothing renews its entry any more.
  await killed.nc.close();
  const again = await node(name, "vm2");
  const started = Date.now();
  await again.leases.claimNodeId();
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test("a node runs while it holds its id, and not once it stopped", options, async () => {
  const name = cluster();
  const a = await node(name, "vm3");
  const b = await node(name, "vm4");
  await a.leases.claimNodeId();
  assert.equal(await b.leases.nodeRunning("vm3"), true);
  assert.equal(await b.leases.nodeRunning("vm9"), false);
  await a.leases.close();
  assert.equal(await b.leases.nodeRunning("vm3"), false);
});
