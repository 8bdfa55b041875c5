// The single-node kill test (crash-recovery.test.ts) on a cluster: under 200 mails spread over the
// nodes, any node — the web client's too, which then reconnects to another — is SIGKILLed at random.

import assert from "node:assert/strict";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { startCluster, type TestCluster } from "../support/cluster.ts";
import { natsPeer } from "../support/nats.ts";
import { prng } from "../support/prng.ts";
import { testDialects } from "../support/store.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const MAILS = 200;
const NODES = 3;

const nats = await natsPeer();
const pg = (await testDialects()).find((d) => d.name === "postgres")!;
const skip = nats.skip ?? pg.skip;

test("SIGKILL of cluster nodes under 200 mails: every 250 reaches the client, shown once", {
  skip,
  timeout: 180_000,
}, async (t) => {
  const seed = Number(process.env.OMNIVOX_CRASH_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  // A short lease, so what a killed node had claimed is taken over by another within seconds.
  const cluster: TestCluster = await startCluster(NODES, () => [
    "outbox: { backoffBaseMs: 50, backoffMaxMs: 500, ackTimeoutMs: 2000, leaseMs: 3000 }",
  ]);
  const api = (path: string, body: unknown, token = cluster.admin) =>
    fetch(`${cluster.nodes[0]!.base}/api/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  /** Nodes killed and not yet up again: neither mails nor the client go there on purpose. */
  const down = new Set<number>();
  /** Per node: its restart since its last kill, under way or done. */
  const restarts: Array<Promise<unknown> | undefined> = [];
  const seenIds = new Map<string, string>(); // event id → subject
  const ackedIds = new Set<string>();
  let resentAfterAck = 0;
  let client: TestWebClient | undefined;
  let clientAt = 0;
  let reconnects = 0;
  let finished = false;
  try {
    const created = await api("/users", {
      id: "alice",
      emails: ["alice@example.com"],
      password: "wonderland",
    });
    assert.equal(created.status, 201, await created.text());
    const { token } = (await (
      await api("/session", { user: "alice", password: "wonderland" }, "")
    ).json()) as { token: string };

    // One server secret for the cluster: the session is good on whichever node is up.
    const connect = async (): Promise<void> => {
      for (let k = 0; ; k++) {
        const at = (clientAt + k) % NODES;
        if (down.has(at)) continue;
        try {
          client = await connectWebClient(cluster.nodes[at]!.ports.http!.port, token, {
            autoAck: false,
          });
          clientAt = at;
          break;
        } catch {
          // Killed between the choice and the upgrade: the next node.
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const socket = client.socket;
      socket.on("message", (data) => {
        const e = JSON.parse(String(data)) as { id?: string; type: string; subject?: string };
        if (e.type !== "message" || !e.id) return;
        if (ackedIds.has(e.id)) resentAfterAck++;
        seenIds.set(e.id, String(e.subject));
        ackedIds.add(e.id);
        socket.send(JSON.stringify({ type: "ack", id: e.id }));
      });
      socket.on("error", () => {});
      socket.once("close", () => {
        if (finished) return;
        reconnects++;
        clientAt = (clientAt + 1) % NODES;
        void connect();
      });
    };
    await connect();

    /** What was killed during which mail, for the diagnostic: "n2@17", "n0@40 (client's)". */
    const kills: string[] = [];
    /** Node index → after how many sends it is started again. */
    const restartAt = new Map<number, number>();
    const startAgain = (v: number) => {
      restartAt.delete(v);
      restarts[v] = cluster.restart(v).then(() => {
        down.delete(v);
      });
    };

    const sendVia = async (node: number, i: number): Promise<boolean> => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: cluster.nodes[node]!.ports.smtp!.port,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        socketTimeout: 5000,
      });
      try {
        const info = await transport.sendMail({
          from: "bob@example.net",
          to: "alice@example.com",
          subject: `mail ${i}`,
          text: `body of mail ${i}`,
          messageId: `<cluster-crash-${i}@example.net>`,
        });
        return /^250/.test(info.response);
      } catch {
        return false;
      } finally {
        transport.close();
      }
    };

    const accepted = new Set<number>();
    const pending = Array.from({ length: MAILS }, (_, i) => i);
    let sends = 0;
    // Like an MTA with one MX per node: a mail without 250 goes to the next node at once, and
    // one that no node took is sent again later.
    while (pending.length > 0) {
      const i = pending.shift()!;
      sends++;
      for (const [v, at] of restartAt) if (sends >= at) startAgain(v);
      // The same draws for every mail, whatever the timing, so a seed replays the same plan.
      let to = Math.floor(random() * NODES);
      const kill = random() < 0.05;
      const victim = Math.floor(random() * NODES);
      const delayMs = Math.floor(random() * 12);
      const downFor = Math.floor(random() * 8);
      let killing: Promise<void> | undefined;
      if (kill) {
        // One node down at a time, so the client always has a node to come back to.
        for (const v of [...restartAt.keys()]) startAgain(v);
        await Promise.all(restarts);
        kills.push(`n${victim}@${i}${victim === clientAt ? " (client's)" : ""}`);
        const child = cluster.nodes[victim]!;
        down.add(victim);
        // The mail goes to the node being killed, so the kill lands inside its dialogue or commit.
        to = victim;
        killing = new Promise<void>((resolve) =>
          setTimeout(() => {
            child.process.kill("SIGKILL");
            resolve();
          }, delayMs),
        );
        restartAt.set(victim, sends + downFor);
      }
      let ok = false;
      for (let k = 0; k < NODES && !ok; k++) ok = await sendVia((to + k) % NODES, i);
      if (ok) accepted.add(i);
      else pending.push(i);
      await killing;
    }
    for (const v of [...restartAt.keys()]) startAgain(v);
    await Promise.all(restarts);

    t.diagnostic(
      `seed ${seed}: ${NODES} nodes, ${kills.length} kills (${kills.join(", ")}), ${reconnects} client reconnects, ${accepted.size} mails accepted, ${resentAfterAck} acked events re-sent`,
    );
    // Every accepted mail reaches the client, also those a killed node had claimed or held.
    const subjects = () => new Set(seenIds.values());
    await until(
      "every accepted mail at the client",
      () => [...accepted].every((i) => subjects().has(`mail ${i}`)),
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch(() => {}); // the assertion below names the mails that are missing
    const missing = [...accepted].filter((i) => !subjects().has(`mail ${i}`));
    assert.deepEqual(missing, [], `seed ${seed}: mails with 250 that never reached the client`);
    assert.equal(accepted.size, MAILS, `seed ${seed}: every mail was eventually accepted`);
    assert.equal(subjects().size, accepted.size, `seed ${seed}: a mail the client got had no 250`);
    // One event id per mail: a mail sent again to another node after a lost 250 is the same
    // communication, and a delivery taken over from a killed node keeps its id.
    const perSubject = new Map<string, number>();
    for (const s of seenIds.values()) perSubject.set(s, (perSubject.get(s) ?? 0) + 1);
    const twice = [...perSubject].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], `seed ${seed}: mails shown under more than one event id`);
    // An ack still in flight when a node dies can be lost with it; nothing else may re-send.
    assert.ok(
      resentAfterAck <= 2 * kills.length,
      `seed ${seed}: ${resentAfterAck} acknowledged events re-sent after ${kills.length} kills`,
    );
    assert.ok(kills.length > 0, `seed ${seed}: the run killed a node at least once`);
  } finally {
    finished = true;
    await client?.close();
    await Promise.allSettled(restarts);
    await cluster.stop();
  }
});
