// Several nodes (docs/cluster.md): SMTP in → web client through 2 omnivox nodes on one
// PostgreSQL and NATS, each node pinned to one core (taskset), beside 1 node pinned to one core,
// in the same run with the same load: 4 users, each with a web client on one of the nodes, mails
// spread over every node's SMTP port. A mail for a client on the other node crosses by the
// cluster relay. The ratio is the figure (target 1.7: what a second node adds).

import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { type ClusterNodeChild, startCluster } from "../test/support/cluster.ts";
import { natsPeer } from "../test/support/nats.ts";
import { connectWebClient, type TestWebClient } from "../test/support/web-client.ts";
import { Arrivals, blast } from "./smtp-to-web.ts";
import { percentile } from "./stats.ts";

const USERS = 4;
const WARM_UP = 100;

export interface ClusterSmtpRun {
  nodes: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ClusterSmtpResult {
  mails: number;
  concurrency: number;
  single: ClusterSmtpRun;
  double: ClusterSmtpRun;
  ratio: number;
}

/** Every thread of the process (and those it starts later) on one core. */
function pin(pid: number, core: number): void {
  execFileSync("taskset", ["-a", "-c", "-p", String(core), String(pid)], { stdio: "ignore" });
}

async function measure(nodes: number, mails: number, concurrency: number): Promise<ClusterSmtpRun> {
  const cluster = await startCluster(nodes, () => ["log: { level: warn }"]);
  const clients: TestWebClient[] = [];
  try {
    const cores = cpus().length;
    for (const [i, node] of cluster.nodes.entries()) pin(node.process.pid!, i % cores);
    const first = cluster.nodes[0]!;
    const arrivals = new Arrivals(mails);
    for (let u = 0; u < USERS; u++) {
      const post = (path: string, body: unknown, token?: string) =>
        fetch(`${first.base}/api/v1${path}`, {
          method: "POST",
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            "content-type": "application/json",
          },
          body: JSON.stringify(body),
        });
      const created = await post(
        "/users",
        { id: `u${u}`, emails: [`u${u}@example.com`], password: "bench-password" },
        cluster.admin,
      );
      if (created.status !== 201) throw new Error(`user not created: ${await created.text()}`);
      const { token } = (await (
        await post("/session", { user: `u${u}`, password: "bench-password" })
      ).json()) as { token: string };
      const home: ClusterNodeChild = cluster.nodes[u % nodes]!;
      const client = await connectWebClient(home.ports.http!.port, token);
      arrivals.watch(client.socket);
      clients.push(client);
    }
    // The clients' offers to deliver reach the other nodes through NATS.
    await new Promise((r) => setTimeout(r, 500));
    // Warm-up, not counted: the first mails pay for JIT, pool connections and PostgreSQL's
    // first plans, which would make whichever phase runs first look slower.
    const warm = new Arrivals(WARM_UP * nodes);
    for (const client of clients) warm.watch(client.socket);
    await Promise.all(
      cluster.nodes.map((node, n) =>
        blast(
          node.ports.smtp!.port,
          WARM_UP,
          2,
          (i) => warm.sent(`warm ${n}-${i}`),
          (i) => ({ to: `u${i % USERS}@example.com`, subject: `warm ${n}-${i}` }),
        ),
      ),
    );
    await warm.all();
    const start = performance.now();
    const perNode = Math.ceil(mails / nodes);
    await Promise.all(
      cluster.nodes.map((node, n) =>
        blast(
          node.ports.smtp!.port,
          Math.min(perNode, mails - n * perNode),
          Math.max(1, Math.round(concurrency / nodes)),
          (i) => arrivals.sent(`bench ${n}-${i}`),
          (i) => ({ to: `u${i % USERS}@example.com`, subject: `bench ${n}-${i}` }),
        ),
      ),
    );
    await arrivals.all();
    const latencies = arrivals.sorted();
    return {
      nodes,
      perSec: (mails * 1000) / (arrivals.last - start),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    for (const client of clients) await client.close();
    await cluster.stop();
  }
}

/** A reason instead of figures when NATS or taskset is missing (the row says so). */
export async function run(mails = 1000, concurrency = 8): Promise<ClusterSmtpResult | string> {
  if ((await natsPeer().catch((e: Error) => ({ skip: e.message }))).skip)
    return "not run: NATS with JetStream not reachable";
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
  } catch {
    return "not run: taskset (util-linux) not installed";
  }
  const single = await measure(1, mails, concurrency);
  const double = await measure(2, mails, concurrency);
  return { mails, concurrency, single, double, ratio: double.perSec / single.perSec };
}

export function rows(r: ClusterSmtpResult | string) {
  if (typeof r === "string")
    return [{ benchmark: "SMTP in → web client on 2 nodes", figure: r, limit: "-", ratio: "-" }];
  const fmt = (x: ClusterSmtpRun) =>
    `${x.perSec.toFixed(0)} msg/s, p50 ${x.p50Ms.toFixed(1)} ms, p99 ${x.p99Ms.toFixed(1)} ms`;
  return [
    {
      benchmark: `SMTP in → web clients, 2 nodes on PostgreSQL + NATS, one core each (${r.mails} mails, ${USERS} users)`,
      figure: fmt(r.double),
      limit: `1 node on one core, same load: ${fmt(r.single)}`,
      ratio: r.ratio.toFixed(3),
    },
  ];
}
