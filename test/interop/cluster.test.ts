// Cluster mode with real peers (docs/cluster.md): three omnivox nodes as child processes on one
// PostgreSQL schema and one NATS JetStream, as an operator runs them. Each node names itself in
// /healthz and /metrics, a session made on one node is good on another (one server secret for the
// cluster), and a node that cannot reach NATS, or is given SQLite, refuses to start naming the key.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { spawnOmnivox, writeChildConfig } from "../support/child.ts";
import {
  addClusterUser,
  clusterSkip,
  mailAlice,
  startCluster,
  type TestCluster,
} from "../support/cluster.ts";
import { allocateRtpPorts } from "../support/rtp-ports.ts";
import { TEST_PG_URL } from "../support/store.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const skip = await clusterSkip();
const options = { skip, timeout: 120_000 };

const api = (base: string, path: string, token: string, body?: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

let cluster: TestCluster;
let token: string;
before(async () => {
  if (skip) return;
  cluster = await startCluster(3);
  ({ token } = await addClusterUser(cluster, {
    id: "alice",
    emails: ["alice@example.com"],
    password: "wonderland",
  }));
});
after(async () => {
  if (!skip) await cluster.stop();
});

test("each node names itself in /healthz and /metrics", options, async () => {
  for (const node of cluster.nodes) {
    const health = (await (await fetch(`${node.base}/healthz`)).json()) as {
      ok: boolean;
      node: string;
      checks: Record<string, boolean>;
    };
    assert.equal(health.node, node.nodeId);
    assert.equal(health.ok, true);
    assert.equal(health.checks.cluster, true);
    const metrics = await (await fetch(`${node.base}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(`omnivox_process_cpu_seconds_total\\{node="${node.nodeId}"\\}`),
    );
  }
});

test("a session made on one node is good on the other", options, async () => {
  const n2 = cluster.nodes[1]!;
  const onOther = await api(n2.base, "/users/alice", token);
  assert.equal(onOther.status, 200, await onOther.text());
  const forged = await api(n2.base, "/users/alice", `${token.slice(0, -2)}xx`);
  assert.equal(forged.status, 401);
});

const shown = (client: TestWebClient, subject: string) =>
  client.events.filter((e) => e.type === "message" && e.subject === subject).length;

test("a mail received on node 1 reaches a web client on node 2, once", options, async () => {
  const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!];
  const client = await connectWebClient(n2.ports.http!.port, token);
  try {
    // The offer to deliver for this client reaches the other node through NATS.
    await new Promise((r) => setTimeout(r, 300));
    await mailAlice(n1, "across nodes");
    await client.waitFor((e) => e.type === "message" && e.subject === "across nodes");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(shown(client, "across nodes"), 1);
  } finally {
    await client.close();
  }
});

test(
  "a mail for a client away from every node waits, and reaches it on whichever node it comes back to",
  options,
  async () => {
    // Three nodes: the mail comes in at the third, the client comes back at the second.
    const [n2, n3] = [cluster.nodes[1]!, cluster.nodes[2]!];
    await new Promise((r) => setTimeout(r, 300));
    await mailAlice(n3, "while away");
    await new Promise((r) => setTimeout(r, 500));
    const client = await connectWebClient(n2.ports.http!.port, token);
    try {
      await client.waitFor((e) => e.type === "message" && e.subject === "while away");
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(shown(client, "while away"), 1);
    } finally {
      await client.close();
    }
  },
);

async function refusedStart(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-cluster-bad-"));
  try {
    const config = await writeChildConfig(dir, "cluster-admin-0123456789abcdef", lines);
    const child = await spawnOmnivox(config, dir, 20_000).then(
      (c) => {
        c.process.kill("SIGKILL");
        return undefined;
      },
      (err: Error) => err.message,
    );
    assert.ok(child, "omnivox started");
    return child;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a node that cannot reach NATS refuses to start, naming cluster.nats", options, async () => {
  const output = await refusedStart([
    `database: ${TEST_PG_URL}`,
    "databaseSchema: t_cluster_unreachable",
    'cluster: { nats: "nats://127.0.0.1:1", nodeId: lonely }',
    `sip: { listen: 127.0.0.1:0, rtpPorts: ${allocateRtpPorts(10).range} }`,
  ]);
  assert.match(output, /cluster\.nats: cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
});

test("cluster mode on SQLite is refused before anything starts", options, async () => {
  const output = await refusedStart(['cluster: { nats: "nats://127.0.0.1:4222" }']);
  assert.match(output, /cluster.*postgres:\/\/ URL/);
});
