// The cluster event bridge against a real NATS JetStream server: what one node emits reaches the
// other once, a node never hears its own events back, a replayed event is not published again,
// and garbage on the subject is dropped without stopping the bridge.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { dropCluster, natsPeer, TEST_NATS_URL, testClusterName } from "../../test/support/nats.ts";
import { until } from "../../test/support/until.ts";
import { createSystemEvents, type SystemEvents } from "../core/events.ts";
import { bridgeEvents, type EventBridge } from "./event-bridge.ts";

const peer = await natsPeer();
const name = testClusterName();
const logger = pino({ level: "silent" });

interface Node {
  nc: NatsConnection;
  events: SystemEvents;
  bridge: EventBridge;
  heard: string[];
}

async function node(nodeId: string): Promise<Node> {
  const nc = await connect({ servers: TEST_NATS_URL });
  const events = createSystemEvents((err) => {
    throw err;
  });
  const heard: string[] = [];
  events.on("mailboxChanged", (userId) => heard.push(`mailbox:${userId}`));
  events.on("outboxDue", () => heard.push("due"));
  events.on("targetAvailable", (a) => heard.push(`available:${a.scheme}`));
  const bridge = await bridgeEvents(nc, events, { nodeId, name, logger });
  return { nc, events, bridge, heard };
}

let a: Node;
let b: Node;
before(async () => {
  if (peer.skip) return;
  a = await node("a");
  b = await node("b");
});
after(async () => {
  if (peer.skip) return;
  for (const n of [a, b]) {
    await n.bridge.close();
    await n.nc.close();
  }
  await dropCluster(name);
});

test("an event emitted on one node is emitted once on the other, never echoed", peer, async () => {
  a.heard.length = 0;
  b.heard.length = 0;
  a.events.emit("mailboxChanged", "alice");
  await until("b hears alice's mailbox change", () => b.heard.includes("mailbox:alice"));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(b.heard, ["mailbox:alice"]);
  assert.deepEqual(a.heard, ["mailbox:alice"], "a heard its own event back from NATS");
});

test("what a node replays from another is not published again", peer, async () => {
  const published = b.bridge.counts.published;
  a.events.emit("mailboxChanged", "bob");
  await until("b hears bob's", () => b.heard.includes("mailbox:bob"));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(b.bridge.counts.published, published);
});

test("a commit that left deliveries unclaimed wakes the other node's outbox", peer, async () => {
  b.heard.length = 0;
  const communication = {} as never;
  a.events.emit("committed", communication, [], 0);
  a.events.emit("committed", communication, [], 3);
  await until("b's outbox is woken", () => b.heard.includes("due"));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(b.heard, ["due"], "a commit with nothing left to claim was published");
});

test("availability crosses with its address", peer, async () => {
  b.heard.length = 0;
  a.events.emit("targetAvailable", { scheme: "xmpp", jid: "alice@example.com/phone" });
  await until("b hears the availability", () => b.heard.length > 0);
  assert.deepEqual(b.heard, ["available:xmpp"]);
});

test("garbage on the event subject is dropped and the bridge goes on", peer, async () => {
  const dropped = b.bridge.counts.dropped;
  b.nc.publish(`${name}.events.mailboxChanged`, "{not json");
  b.nc.publish(`${name}.events.mailboxChanged`, JSON.stringify({ type: "mailboxChanged" }));
  b.nc.publish(`${name}.events.x`, JSON.stringify({ type: "reboot", origin: "evil" }));
  await until("the garbage is dropped", () => b.bridge.counts.dropped >= dropped + 3);
  a.events.emit("mailboxChanged", "carol");
  await until("b still hears events", () => b.heard.includes("mailbox:carol"));
});
