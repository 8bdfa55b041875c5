// Several omnivox nodes as child processes on one PostgreSQL schema and one NATS cluster name
// (docs/cluster.md), started as an operator starts them, each killable on its own. The schema
// and the NATS streams are the test's own and are removed by `stop`.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { type OmnivoxChild, spawnOmnivox, writeChildConfig } from "./child.ts";
import { dropCluster, natsPeer, TEST_NATS_URL, testClusterName } from "./nats.ts";
import { allocateRtpPorts } from "./rtp-ports.ts";
import { dropSchema, TEST_PG_URL, testDialects } from "./store.ts";

export interface ClusterNodeChild extends OmnivoxChild {
  nodeId: string;
  dataDir: string;
  /** http://127.0.0.1:port */
  base: string;
}

export interface TestCluster {
  nodes: ClusterNodeChild[];
  admin: string;
  /** Starts node `i` again on its data directory (after a kill). */
  restart(i: number): Promise<ClusterNodeChild>;
  stop(): Promise<void>;
}

export async function startCluster(
  count: number,
  lines: (i: number) => readonly string[] = () => [],
  /** More keys of each node's `sip` section, as YAML flow mapping entries ("domain: x"). */
  sip: readonly string[] = [],
): Promise<TestCluster> {
  const admin = `cluster-admin-${randomBytes(12).toString("hex")}`;
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const name = testClusterName();
  const dirs: string[] = [];
  const configs: string[] = [];
  const nodes: ClusterNodeChild[] = [];
  const start = async (i: number) => {
    const child = await spawnOmnivox(configs[i]!, dirs[i]!);
    const node = {
      ...child,
      nodeId: `n${i + 1}`,
      dataDir: dirs[i]!,
      base: `http://127.0.0.1:${child.ports.http!.port}`,
    };
    nodes[i] = node;
    return node;
  };
  const stop = async () => {
    for (const node of nodes) {
      if (node.process.exitCode === null && node.process.signalCode === null) {
        node.process.kill("SIGTERM");
        await node.exited;
      }
    }
    await dropSchema(schema).catch(() => undefined);
    await dropCluster(name).catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    for (let i = 0; i < count; i++) {
      const dir = await mkdtemp(join(tmpdir(), `omnivox-cluster-n${i + 1}-`));
      dirs.push(dir);
      configs.push(
        await writeChildConfig(dir, admin, [
          `database: ${TEST_PG_URL}`,
          `databaseSchema: ${schema}`,
          `cluster: { nats: "${TEST_NATS_URL}", nodeId: n${i + 1}, name: ${name} }`,
          `sip: { ${["listen: 127.0.0.1:0", `rtpPorts: ${allocateRtpPorts(100).range}`, ...sip].join(", ")} }`,
          ...lines(i),
        ]),
      );
    }
    // One after the other: the first creates the schema and the shared secret.
    for (let i = 0; i < count; i++) await start(i);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, admin, restart: start, stop };
}

/** A mail from bob to alice@example.com through a node's SMTP listener, resolved on its 250. */
export async function mailAlice(node: ClusterNodeChild, subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: node.ports.smtp!.port,
    ignoreTLS: true,
  });
  try {
    await transport.sendMail({
      from: "bob@example.net",
      to: "alice@example.com",
      subject,
      text: `${subject}: see you at noon`,
    });
  } finally {
    transport.close();
  }
}

/** Why cluster tests cannot run here (no NATS or no PostgreSQL), or undefined when they can. */
export async function clusterSkip(): Promise<string | undefined> {
  const nats = await natsPeer();
  const pg = (await testDialects()).find((d) => d.name === "postgres")!;
  return nats.skip ?? pg.skip;
}

/**
 * Creates a user through the first node (admin token) and returns a session token for them and
 * the SIP secret their phones register with.
 */
export async function addClusterUser(
  cluster: TestCluster,
  user: { id: string; password: string } & Record<string, unknown>,
): Promise<{ token: string; sipSecret: string }> {
  const { base } = cluster.nodes[0]!;
  const created = await fetch(`${base}/api/v1/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${cluster.admin}`, "content-type": "application/json" },
    body: JSON.stringify(user),
  });
  if (created.status !== 201) throw new Error(`user not created: ${await created.text()}`);
  const { sipSecret } = (await created.json()) as { sipSecret: string };
  const session = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: user.id, password: user.password }),
  });
  return { token: ((await session.json()) as { token: string }).token, sipSecret };
}
