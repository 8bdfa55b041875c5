// SMTP in → XMPP client (README "Voicemail by mail and chat"): messages/s and p50/p99 latency from a mail handed to omnivox
// (a child process) to the chat arriving at a python3-slixmpp client through Prosody, beside
// Prosody's own client-to-client rate between two slixmpp clients in the same run. The ratio of
// the two rates is the figure; both paths end in the same Python client, so it costs both alike.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { spawnOmnivox, writeChildConfig } from "../test/support/child.ts";
import { findBinary } from "../test/support/peers.ts";
import { Prosody } from "../test/support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../test/support/slixmpp.ts";
import { percentile } from "./stats.ts";

const ADMIN = "bench-admin-token-0123456789";

export interface XmppBenchResult {
  mails: number;
  concurrency: number;
  omnivoxPerSec: number;
  p50Ms: number;
  p99Ms: number;
  prosodyC2cPerSec: number;
  c2cMessages: number;
  ratio: number;
}

async function waitCount(client: SlixmppClient, prefix: RegExp, count: number, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  const matching = () =>
    client.events.filter((e) => e.event === "message" && prefix.test(e.body ?? ""));
  while (matching().length < count) {
    if (Date.now() > end) throw new Error(`only ${matching().length} of ${count} arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return matching();
}

/** Prosody's own rate: alice's client sends `count` chats to bob's, both in one slixmpp process. */
async function c2cRate(
  clients: SlixmppClient,
  from: string,
  to: string,
  count: number,
): Promise<number> {
  await clients.command({ cmd: "burst", to, count, prefix: "c2c", account: from }, 60_000);
  const got = await waitCount(clients, /^c2c \d+ /, count, 120_000);
  const firstSent = Math.min(...got.map((e) => Number(e.body?.split(" ")[2])));
  const lastGot = Math.max(...got.map((e) => e.t ?? 0));
  return (count * 1000) / (lastGot - firstSent);
}

export async function run(mails = 1000, concurrency = 8): Promise<XmppBenchResult | undefined> {
  const prosodyBin = findBinary("prosody");
  if (!prosodyBin || slixmppPeer().skip) return undefined;
  const prosody = await Prosody.start(prosodyBin, {
    users: [
      { user: "alice", password: "alice-pw" },
      { user: "bob", password: "bob-pw" },
    ],
  });
  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-bench-xmpp-"));
  let clients: SlixmppClient | undefined;
  let child: Awaited<ReturnType<typeof spawnOmnivox>> | undefined;
  try {
    const alice = `alice@${prosody.domain}`;
    const bob = `bob@${prosody.domain}`;
    clients = await SlixmppClient.start({
      jid: alice,
      password: "alice-pw",
      more: [{ jid: bob, password: "bob-pw" }],
      receipts: true,
      port: prosody.c2sPort,
    });
    await clients.autoApprove(true);
    const prosodyC2cPerSec = await c2cRate(clients, bob, alice, mails);

    const configFile = await writeChildConfig(dataDir, ADMIN, [
      `xmpp: { server: "127.0.0.1:${prosody.componentPort}", domain: ${prosody.componentDomain}, secret: ${prosody.componentSecret} }`,
    ]);
    child = await spawnOmnivox(configFile, dataDir);
    await fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({
        id: "alice",
        emails: ["alice@example.com"],
        imClients: [{ id: "chat", kind: "xmpp", jid: alice }],
      }),
    });
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: child.ports.smtp!.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: concurrency,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    const send = (subject: string) =>
      transport.sendMail({
        from: "bob@example.net",
        to: "alice@example.com",
        subject,
        text: `Benchmark message ${subject}: are you free for lunch at noon tomorrow?`,
      });
    // the first mail makes omnivox subscribe to alice's presence; it is not measured
    await send("warm-up");
    await waitCount(clients, /warm-up/, 1, 30_000);
    const sentAt = new Map<string, number>();
    const epochOffset = Date.now() - performance.now();
    const start = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < mails) {
        const subject = `bench-${next++}`;
        sentAt.set(subject, performance.now());
        await send(subject);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    transport.close();
    const got = await waitCount(clients, /bench-\d+/, mails, 300_000);
    const latencies = got.map(
      (e) => (e.t ?? 0) - epochOffset - (sentAt.get(e.subject ?? "") ?? Number.NaN),
    );
    const last = Math.max(...got.map((e) => (e.t ?? 0) - epochOffset));
    latencies.sort((a, b) => a - b);
    const omnivoxPerSec = (mails * 1000) / (last - start);
    return {
      mails,
      concurrency,
      omnivoxPerSec,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      prosodyC2cPerSec,
      c2cMessages: mails,
      ratio: omnivoxPerSec / prosodyC2cPerSec,
    };
  } finally {
    await clients?.quit();
    if (child) {
      child.process.kill("SIGTERM");
      await child.exited;
    }
    await prosody.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The table rows for bench/run.ts. */
export function rows(r: XmppBenchResult | undefined) {
  if (!r)
    return [
      {
        benchmark: "SMTP in → XMPP client",
        figure: "not run: prosody or python3-slixmpp not installed",
        limit: "-",
        ratio: "-",
      },
    ];
  return [
    {
      benchmark: `SMTP in → XMPP client via Prosody (${r.mails} mails, ${r.concurrency} connections)`,
      figure: `${r.omnivoxPerSec.toFixed(0)} msg/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`,
      limit: `Prosody client-to-client ${r.prosodyC2cPerSec.toFixed(0)} msg/s (slixmpp → slixmpp)`,
      ratio: r.ratio.toFixed(3),
    },
  ];
}
