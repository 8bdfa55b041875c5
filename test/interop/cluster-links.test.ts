// One owner per external link in a cluster, with real peers (docs/cluster.md "Ownership"): two
// omnivox nodes on one PostgreSQL and NATS are both configured with the same SMDI link to a
// voicemail system, and only one dials it. A lamp change reaches the user's web client on the
// other node. Killed with SIGKILL, the owner's link is taken over by the survivor within
// seconds, and the next change reaches the client too — with a version above the ones before.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SmdiPeer } from "../peers/legacy-vm/index.ts";
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
let cluster: TestCluster;
before(async () => {
  if (skip) return;
  box = await SmdiPeer.listen();
  cluster = await startCluster(2, () => [`smdi: [{ id: octel, connect: "${box.address}" }]`]);
});
after(async () => {
  if (skip) return;
  await cluster.stop();
  await box.close();
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
  const { token } = await addClusterUser(cluster, {
    id: "alice",
    password: "wonderland",
    voicemailSystems: [{ id: "octel", kind: "smdi", link: "octel", station: "4000" }],
  });

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
