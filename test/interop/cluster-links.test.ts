// One owner per external link in a cluster, with real peers (docs/cluster.md "Ownership"): two
// omnivox nodes on one PostgreSQL and NATS are both configured with the same SMDI link to a
// voicemail system, and only one dials it. A lamp change reaches the user's web client on the
// other node. Killed with SIGKILL, the owner's link is taken over by the survivor within
// seconds, and the next change reaches the client too — with a version above the ones before.
// The subscription to a SIP voicemail box (the legacy simulator) moves the same way: the node
// that holds it is killed, another subscribes again, and the box's next NOTIFY reaches the client.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LegacyVoicemailSim, SmdiPeer } from "../peers/legacy-vm/index.ts";
import {
  addClusterUser,
  type ClusterNodeChild,
  clusterSkip,
  startCluster,
  type TestCluster,
} from "../support/cluster.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type StreamEvent } from "../support/web-client.ts";

const skip = await clusterSkip();

let box: SmdiPeer;
let sim: LegacyVoicemailSim;
let cluster: TestCluster;
let token: string;
before(async () => {
  if (skip) return;
  box = await SmdiPeer.listen();
  sim = await new LegacyVoicemailSim().start();
  cluster = await startCluster(2, () => [
    `smdi: [{ id: octel, connect: "${box.address}" }]`,
    "legacyVoicemail: { retryMinMs: 50, retryMaxMs: 500 }",
    "mwi: { retryMs: 200 }",
  ]);
  ({ token } = await addClusterUser(cluster, {
    id: "alice",
    password: "wonderland",
    voicemailSystems: [
      { id: "octel", kind: "smdi", link: "octel", station: "4000" },
      { id: "pbx", kind: "sip", uri: sim.uri("4100") },
    ],
  }));
});
after(async () => {
  if (skip) return;
  await cluster.stop();
  await box.close();
  await sim.stop();
});

const health = async (node: ClusterNodeChild) =>
  (await (await fetch(`${node.base}/healthz`)).json()) as { links?: string[] };

const octel = (e: StreamEvent) =>
  e.type === "mwi"
    ? (e.systems as Array<{ id: string; new: number }> | undefined)?.find((s) => s.id === "octel")
    : undefined;

test("one node runs the SMDI link; killed, the other takes it over and lamps still reach the client", {
  skip,
  timeout: 120_000,
}, async () => {
  await box.waitConnected(15_000);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(box.connections, 1, "both nodes dialled the voicemail system");
  const owners = [];
  for (const node of cluster.nodes)
    if ((await health(node)).links?.includes("smdi:octel")) owners.push(node);
  assert.equal(owners.length, 1, "exactly one node owns the link");
  const owner = owners[0]!;
  const survivor = cluster.nodes.find((n) => n !== owner)!;

  const client = await connectWebClient(survivor.ports.http!.port, token);
  try {
    await new Promise((r) => setTimeout(r, 300));
    box.mwi("4000", true);
    const on = await client.waitFor((e) => octel(e)?.new === 1, 15_000);

    const killed = Date.now();
    owner.process.kill("SIGKILL");
    await owner.exited;
    await until(
      "the survivor dials the voicemail system",
      () => box.connections === 2 && box.connected,
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    const takeover = Date.now() - killed;
    assert.ok(takeover < 12_000, `takeover took ${takeover} ms`);
    await until("the survivor reports the link", async () =>
      (await health(survivor)).links?.includes("smdi:octel"),
    );

    const since = client.events.length;
    box.mwi("4000", false);
    const off = await client.waitFor((e) => octel(e)?.new === 0, 15_000, since);
    assert.ok(
      Number(off.version) > Number(on.version),
      `version went from ${on.version} to ${off.version}`,
    );
  } finally {
    await client.close();
  }
});

const pbx = (e: StreamEvent) =>
  e.type === "mwi"
    ? (e.systems as Array<{ id: string; new: number }> | undefined)?.find((s) => s.id === "pbx")
    : undefined;

/** SUBSCRIBEs that opened a subscription to the box (not refreshes). */
const opened = () => sim.mwi.seen.filter((s) => s.mailbox === "4100" && !s.inDialog).length;

test("one node subscribes to the SIP box; killed, another subscribes again and NOTIFYs still reach the client", {
  skip,
  timeout: 120_000,
}, async () => {
  // The first test left one node, which holds the subscriptions by now; the other starts again
  // and must not subscribe a second time.
  await until("a node subscribed", () => sim.mwi.active("4100") > 0, { timeoutMs: 20_000 });
  const base = opened();
  for (const [i, node] of cluster.nodes.entries())
    if (node.process.exitCode !== null || node.process.signalCode !== null)
      await cluster.restart(i);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(opened(), base, "the restarted node subscribed to the box too");
  const owners = [];
  for (const node of cluster.nodes)
    if ((await health(node)).links?.includes("legacy-sip")) owners.push(node);
  assert.equal(owners.length, 1, "exactly one node holds the subscriptions");
  const owner = owners[0]!;
  const survivor = cluster.nodes.find((n) => n !== owner)!;

  const client = await connectWebClient(survivor.ports.http!.port, token);
  try {
    await new Promise((r) => setTimeout(r, 300));
    await sim.mwi.set("4100", { new: 2, old: 0 });
    const before = await client.waitFor((e) => pbx(e)?.new === 2, 15_000);

    owner.process.kill("SIGKILL");
    await owner.exited;
    await until("the survivor subscribes again", () => opened() === base + 1, {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    await until("the survivor reports the subscriptions", async () =>
      (await health(survivor)).links?.includes("legacy-sip"),
    );
    const since = client.events.length;
    // Not awaited: the NOTIFY to the dead node's subscription waits out its retransmissions.
    void sim.mwi.set("4100", { new: 5, old: 1 });
    const after = await client.waitFor((e) => pbx(e)?.new === 5, 15_000, since);
    assert.ok(
      Number(after.version) > Number(before.version),
      `version went from ${before.version} to ${after.version}`,
    );
  } finally {
    await client.close();
  }
});
