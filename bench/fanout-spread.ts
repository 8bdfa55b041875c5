// Three-way fan-out: a mail to alice's second address is routed to her web client, her
// first address (SMTP sink) and her voicemail box (spoken by TTS); the spread is the time between
// the first and the last of the three deliveries (the outbox's deliveredAt), p50/p99 over N mails.
// Beside it, in the same run: the same text spoken by the same TTS engine in this process, the
// conversion the voice target cannot do without. Run alone: npx tsx bench/fanout-spread.ts

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { synthesize8k } from "../src/speech/tts/engine.ts";
import { createTtsEngine } from "../src/speech/tts/factory.ts";
import { spawnOmnivox } from "../test/support/child.ts";
import { allocateRtpPorts } from "../test/support/rtp-ports.ts";
import { connectWebClient } from "../test/support/web-client.ts";
import { percentile } from "./stats.ts";
import { ADMIN, type BenchRow, startStampingSink } from "./voicemail-email.ts";

const BODY = "Are you free for lunch tomorrow at noon? The usual place, I will book a table.";

export interface FanoutSpreadResult {
  mails: number;
  spreadP50Ms: number;
  spreadP99Ms: number;
  /** Receipt → first delivery, p50. */
  firstP50Ms: number;
  /** The same text (envelope and body) spoken by the default TTS engine here, p50 ms. */
  ttsP50Ms: number;
}

interface Json {
  subject?: string;
  receivedAt: string;
  deliveries: Array<{ target: string; state: string; deliveredAt: string | null }>;
}

export async function run(mails = 20): Promise<FanoutSpreadResult> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-fanbench-"));
  const sink = await startStampingSink();
  const configFile = join(dir, "omnivox.yaml");
  await writeFile(
    configFile,
    [
      `dataDir: ${dir}`,
      "log: { level: warn }",
      `http: { listen: 127.0.0.1:0, adminToken: ${ADMIN} }`,
      "smtp: { listen: 127.0.0.1:0, domains: [example.com] }",
      `smtpOut: { host: 127.0.0.1, port: ${sink.port} }`,
      `sip: { listen: 127.0.0.1:0, rtpPorts: ${allocateRtpPorts(1000).range} }`,
      "",
    ].join("\n"),
  );
  const child = await spawnOmnivox(configFile, dir);
  const tts = createTtsEngine();
  try {
    const base = `http://127.0.0.1:${child.ports.http!.port}/api/v1`;
    const call = async (method: string, path: string, body?: unknown, token = ADMIN) =>
      (
        await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
      ).json();
    await call("POST", "/users", {
      id: "alice",
      emails: ["alice@example.com", "alice.two@example.com"],
      password: "wonderland",
      routes: [{ from: "email", to: ["im", "email", "voicemail"] }],
    });
    const { token } = (await call("POST", "/session", {
      user: "alice",
      password: "wonderland",
    })) as { token: string };
    const client = await connectWebClient(child.ports.http!.port, token);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: child.ports.smtp!.port,
      ignoreTLS: true,
    });
    const spreads: number[] = [];
    const firsts: number[] = [];
    for (let i = 0; i < mails; i++) {
      const subject = `fan-out ${i}`;
      await transport.sendMail({
        from: "Bob <bob@example.net>",
        to: "alice.two@example.com",
        subject,
        text: BODY,
      });
      // One at a time: the spread is one communication's, not a queue's.
      const end = Date.now() + 60_000;
      for (;;) {
        const list = (await call("GET", "/communications?userId=alice")) as Json[];
        const c = list.find((x) => x.subject === subject);
        const done = c?.deliveries.filter((d) => d.deliveredAt) ?? [];
        if (c && done.length === 3) {
          const times = done.map((d) => Date.parse(d.deliveredAt!));
          spreads.push(Math.max(...times) - Math.min(...times));
          firsts.push(Math.min(...times) - Date.parse(c.receivedAt));
          break;
        }
        if (Date.now() > end) throw new Error(`${subject}: ${JSON.stringify(c?.deliveries)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    transport.close();
    await client.close();
    const spoken = `Message from Bob, subject fan-out 1.\n${BODY}`;
    await synthesize8k(tts, spoken);
    const ttsTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await synthesize8k(tts, spoken);
      ttsTimes.push(performance.now() - t);
    }
    spreads.sort((a, b) => a - b);
    firsts.sort((a, b) => a - b);
    return {
      mails,
      spreadP50Ms: percentile(spreads, 50),
      spreadP99Ms: percentile(spreads, 99),
      firstP50Ms: percentile(firsts, 50),
      ttsP50Ms: percentile(
        ttsTimes.sort((a, b) => a - b),
        50,
      ),
    };
  } finally {
    await tts.close();
    child.process.kill("SIGTERM");
    await child.exited;
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(await run(Number(process.argv[2] ?? 20)));

/** The row bench/run.ts prints: the spread beside the TTS time the voice target needs. */
export function rows(r: FanoutSpreadResult): BenchRow[] {
  return [
    {
      benchmark: `Three-way fan-out (web IM + email + voicemail by TTS), ${r.mails} mails`,
      figure: `first→last delivery p50 ${r.spreadP50Ms.toFixed(0)} ms, p99 ${r.spreadP99Ms.toFixed(0)} ms (first delivery p50 ${r.firstP50Ms.toFixed(0)} ms)`,
      limit: `TTS of the same text p50 ${r.ttsP50Ms.toFixed(0)} ms`,
      ratio: (r.spreadP50Ms / r.ttsP50Ms).toFixed(2),
    },
  ];
}
