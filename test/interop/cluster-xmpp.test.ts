// The XMPP component in a cluster (docs/cluster.md "Ownership"): three omnivox nodes configured
// alike against one real Prosody, which takes one connection per component. Exactly one node runs
// it; a mail received on another node reaches a web client on the third and the slixmpp client
// through the component's node, each once; killed with SIGKILL, the component moves to a survivor
// and the next mail still reaches the XMPP client.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  addClusterUser,
  type ClusterNodeChild,
  clusterSkip,
  mailAlice,
  startCluster,
  type TestCluster,
} from "../support/cluster.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { until } from "../support/until.ts";
import { connectWebClient } from "../support/web-client.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = (await clusterSkip()) ?? prosodyBin.skip ?? python.skip;

let prosody: Prosody;
let alice: SlixmppClient;
let cluster: TestCluster;
let token: string;

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  alice = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `alice@${prosody.domain}`,
    password: "alice-pw",
    port: prosody.c2sPort,
  });
  await alice.autoApprove(true);
  const xmpp = `xmpp: { server: "127.0.0.1:${prosody.componentPort}", domain: ${prosody.componentDomain}, secret: ${prosody.componentSecret} }`;
  cluster = await startCluster(3, () => [
    xmpp,
    "outbox: { backoffBaseMs: 50, backoffMaxMs: 500, leaseMs: 3000 }",
  ]);
  ({ token } = await addClusterUser(cluster, {
    id: "alice",
    emails: ["alice@example.com"],
    password: "wonderland",
    imClients: [
      { id: "phone", kind: "xmpp", jid: `alice@${prosody.domain}` },
      { id: "desk", kind: "web" },
    ],
  }));
});
after(async () => {
  if (skip) return;
  await alice?.quit();
  await cluster?.stop();
  await prosody?.stop();
});

const links = async (node: ClusterNodeChild): Promise<string[]> => {
  try {
    return (
      ((await (await fetch(`${node.base}/healthz`)).json()) as { links?: string[] }).links ?? []
    );
  } catch {
    return [];
  }
};

async function owners(nodes: readonly ClusterNodeChild[]): Promise<ClusterNodeChild[]> {
  const found = [];
  for (const node of nodes) if ((await links(node)).includes("xmpp")) found.push(node);
  return found;
}

const chats = (subject: string) =>
  alice.events.filter((e) => e.event === "message" && e.subject === subject).length;

test("one node runs the component; a mail from another reaches the XMPP and web clients once; killed, a survivor takes the component over", {
  skip,
  timeout: 150_000,
}, async () => {
  await until("one node runs the component", async () => (await owners(cluster.nodes)).length > 0, {
    timeoutMs: 20_000,
  });
  // Every node tries at each lease tick: a second one would show up here by now.
  await new Promise((r) => setTimeout(r, 2500));
  const running = await owners(cluster.nodes);
  assert.equal(running.length, 1, `nodes running the component: ${running.map((n) => n.nodeId)}`);
  const owner = running[0]!;
  const [receiving, holding] = cluster.nodes.filter((n) => n !== owner) as [
    ClusterNodeChild,
    ClusterNodeChild,
  ];

  const web = await connectWebClient(holding.ports.http!.port, token, { client: "desk" });
  try {
    await new Promise((r) => setTimeout(r, 300));
    await mailAlice(receiving, "three nodes");
    await alice.waitFor((e) => e.event === "message" && e.subject === "three nodes", 30_000);
    await web.waitFor((e) => e.type === "message" && e.subject === "three nodes", 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(chats("three nodes"), 1, "the XMPP client got the mail once");
    assert.equal(
      web.events.filter((e) => e.type === "message" && e.subject === "three nodes").length,
      1,
      "the web client got the mail once",
    );
  } finally {
    await web.close();
  }

  owner.process.kill("SIGKILL");
  await owner.exited;
  const survivors = cluster.nodes.filter((n) => n !== owner);
  await until("a survivor runs the component", async () => (await owners(survivors)).length === 1, {
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  await mailAlice(survivors[0]!, "after the kill");
  await alice.waitFor((e) => e.event === "message" && e.subject === "after the kill", 40_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(chats("after the kill"), 1, "the XMPP client got the mail once");
});
