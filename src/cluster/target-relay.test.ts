// Sticky connections against a real NATS JetStream server: a forward reaches the node that holds
// the target and resolves once its delivery did, fails as "unavailable" when no node holds it or
// the client left, carries a holder's failure back, and presence follows holds and releases —
// including an announcement left behind by a node that died.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { dropCluster, natsPeer, TEST_NATS_URL, testClusterName } from "../../test/support/nats.ts";
import { until } from "../../test/support/until.ts";
import { DeliveryError, TargetUnavailableError } from "../core/errors.ts";
import { type ClusterTargetRelay, createTargetRelay } from "./target-relay.ts";
import { targetKey } from "./wire.ts";

const peer = await natsPeer();
const name = testClusterName();
const logger = pino({ level: "silent" });
const options = { ...peer, timeout: 30_000 };

let ncA: NatsConnection;
let ncB: NatsConnection;
let a: ClusterTargetRelay;
let b: ClusterTargetRelay;
before(async () => {
  if (peer.skip) return;
  ncA = await connect({ servers: TEST_NATS_URL });
  ncB = await connect({ servers: TEST_NATS_URL });
  a = await createTargetRelay(ncA, { nodeId: "a", name, timeoutMs: 2000, logger });
  b = await createTargetRelay(ncB, { nodeId: "b", name, timeoutMs: 2000, logger });
});
after(async () => {
  if (peer.skip) return;
  await a.close();
  await b.close();
  await ncA.close();
  await ncB.close();
  await dropCluster(name);
});

test("a target no node holds is unavailable", options, async () => {
  await assert.rejects(a.forward("web:nobody/web", "e1", "{}"), TargetUnavailableError);
  assert.equal(a.heldElsewhere("web:nobody/web"), false);
});

test("a forward reaches the holder and resolves once its delivery did", options, async () => {
  const got: Array<[string, string]> = [];
  let finish!: () => void;
  const release = b.hold("web:alice/web", (id, body) => {
    got.push([id, body]);
    return new Promise<void>((resolve) => {
      finish = resolve;
    });
  });
  try {
    await until("a hears that b holds alice", () => a.heldElsewhere("web:alice/web"));
    assert.equal(b.heldElsewhere("web:alice/web"), false, "b's own hold is not elsewhere");
    let settled = false;
    const forwarded = a.forward("web:alice/web", "e2", '{"id":"e2"}').then(() => {
      settled = true;
    });
    await until("b is asked to deliver", () => got.length === 1);
    assert.deepEqual(got, [["e2", '{"id":"e2"}']]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, "resolved before the holder's delivery did");
    finish();
    await forwarded;
  } finally {
    release();
  }
  await until("the release reaches a", () => !a.heldElsewhere("web:alice/web"));
  await assert.rejects(a.forward("web:alice/web", "e3", "{}"), TargetUnavailableError);
});

test("the holder's failure comes back as what it was", options, async () => {
  let fail: Error = new TargetUnavailableError("web client alice/web is not connected");
  const release = b.hold("web:alice/tab", async () => {
    throw fail;
  });
  try {
    await until("a hears that b holds the tab", () => a.heldElsewhere("web:alice/tab"));
    await assert.rejects(a.forward("web:alice/tab", "e4", "{}"), TargetUnavailableError);
    fail = new DeliveryError("socket write failed", false);
    await assert.rejects(a.forward("web:alice/tab", "e5", "{}"), (err: unknown) => {
      assert.ok(err instanceof DeliveryError);
      assert.match(err.message, /socket write failed/);
      return true;
    });
  } finally {
    release();
  }
});

test(
  "an announcement a dead node left behind is forgotten on the first forward",
  options,
  async () => {
    const kv = await new Kvm(jetstream(ncA)).open(`${name}_presence`);
    await kv.put(targetKey("web:carol/web"), "dead-node");
    await until("a hears the stale announcement", () => a.heldElsewhere("web:carol/web"));
    await assert.rejects(a.forward("web:carol/web", "e6", "{}"), TargetUnavailableError);
    assert.equal(a.heldElsewhere("web:carol/web"), false);
  },
);

test(
  "a request that is not a forwarded delivery is answered, and the holder goes on",
  options,
  async () => {
    const got: string[] = [];
    const release = b.hold("web:dave/web", async (id) => {
      got.push(id);
    });
    try {
      await until("a hears that b holds dave", () => a.heldElsewhere("web:dave/web"));
      const reply = await ncA.request(`${name}.hold.${targetKey("web:dave/web")}`, "garbage", {
        timeout: 2000,
      });
      assert.deepEqual(reply.json(), {
        ok: false,
        unavailable: false,
        message: "forwarded delivery not understood",
      });
      await a.forward("web:dave/web", "e7", "{}");
      assert.deepEqual(got, ["e7"]);
    } finally {
      release();
    }
  },
);
