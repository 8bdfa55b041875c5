// Hang-up → email: N sipp calls leave a spoken message with a child omnivox; sipp logs
// the moment each call sends its BYE, the SMTP sink stamps each mail's arrival, and p50/p99 of the
// difference are given with STT "none" and with pocketsphinx. Beside them, measured in the same
// run: the bare SMTP hop (nodemailer → the same sink) and pocketsphinx on the same speech alone.
// Run alone: npx tsx bench/voicemail-email.ts

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { encodeUlaw } from "../src/media/g711.ts";
import { createSttEngine } from "../src/speech/stt/factory.ts";
import { synthesize8k } from "../src/speech/tts/engine.ts";
import { createTtsEngine } from "../src/speech/tts/factory.ts";
import { spawnOmnivox } from "../test/support/child.ts";
import { findBinary } from "../test/support/peers.ts";
import { allocateRtpPorts } from "../test/support/rtp-ports.ts";
import { depositScenario, runDepositCalls } from "./deposit-scenario.ts";
import { percentile } from "./stats.ts";

export const ADMIN = "bench-admin-token-0123456789";
const SPOKEN = "Please call me back about the invoice, my number is five five five.";

/** An SMTP sink that stamps each mail's arrival (wall clock, ms) under its Subject. */
export async function startStampingSink() {
  const arrivals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    // A reverse DNS lookup per connection would add its own delay to every figure.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const at = Date.now();
        const head = Buffer.concat(chunks).toString("latin1").split("\r\n\r\n")[0] ?? "";
        const subject = /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? "";
        arrivals.set(subject, at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface HangupToEmail {
  stt: string;
  calls: number;
  mails: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The first call's mail, left out of p50/p99 as the SMTP hop leaves out its first mail: it
   * opens omnivox's pooled relay connection, and smtp-server (the sink) holds every new
   * connection's greeting 100 ms to catch clients that talk too soon.
   */
  firstMs: number;
}

async function calls(
  sipp: string,
  dir: string,
  stt: string,
  sink: { port: number; arrivals: Map<string, number> },
  scenarioFile: string,
  n: number,
): Promise<HangupToEmail> {
  const configFile = join(dir, `omnivox-${stt}.yaml`);
  const dataDir = join(dir, `data-${stt}`);
  await writeFile(
    configFile,
    [
      `dataDir: ${dataDir}`,
      "log: { level: warn }",
      `http: { listen: 127.0.0.1:0, adminToken: ${ADMIN} }`,
      "smtp: { listen: 127.0.0.1:0, domains: [example.com] }",
      `smtpOut: { host: 127.0.0.1, port: ${sink.port} }`,
      `sip: { listen: 127.0.0.1:0, rtpPorts: ${allocateRtpPorts(1000).range} }`,
      `speech: { stt: ${stt} }`,
      "",
    ].join("\n"),
  );
  const child = await spawnOmnivox(configFile, dataDir);
  try {
    await fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "alice", emails: ["alice@example.com"], phones: ["15550001"] }),
    });
    sink.arrivals.clear();
    const logFile = join(dir, `sipp-${stt}.log`);
    await runDepositCalls(sipp, child.ports.sip!, scenarioFile, {
      calls: n,
      rate: 2,
      limit: 8,
      logFile,
      dir,
    });
    const hangups = new Map<string, number>();
    // sipp prints its variables as decimals: "BYE 15551 1795324347.000000 306985.000000".
    for (const m of (await readFile(logFile, "utf8")).matchAll(/BYE (\d+) ([\d.]+) ([\d.]+)/g))
      hangups.set(m[1]!, Number(m[2]) * 1000 + Number(m[3]) / 1000);
    // Mails follow the hang-up by the transcript wait at most: give them that and some.
    const end = Date.now() + 60_000;
    while (sink.arrivals.size < hangups.size && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const measured: Array<{ bye: number; ms: number }> = [];
    for (const [subject, at] of sink.arrivals) {
      const ani = /(\d+) \(\d+:\d\d\)$/.exec(subject)?.[1];
      const bye = ani ? hangups.get(ani) : undefined;
      if (bye !== undefined) measured.push({ bye, ms: at - bye });
    }
    measured.sort((a, b) => a.bye - b.bye);
    const first = measured.shift();
    const latencies = measured.map((m) => m.ms).sort((a, b) => a - b);
    return {
      stt,
      calls: hangups.size,
      mails: latencies.length + (first ? 1 : 0),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      firstMs: first?.ms ?? Number.NaN,
    };
  } finally {
    child.process.kill("SIGTERM");
    await child.exited;
  }
}

/**
 * One mail at a time through a pooled nodemailer transport (as omnivox's SMTP out is) to the
 * sink, after one that opens the connection: the last hop's own latency.
 */
async function smtpHop(port: number, n: number): Promise<number> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    ignoreTLS: true,
    pool: true,
  });
  const times: number[] = [];
  for (let i = -1; i < n; i++) {
    const t = performance.now();
    await transport.sendMail({
      from: "omnivox@example.com",
      to: "alice@example.com",
      subject: `hop ${i}`,
      text: "Transcript: please call me back.",
    });
    if (i >= 0) times.push(performance.now() - t);
  }
  transport.close();
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

export interface VoicemailEmailResult {
  runs: HangupToEmail[];
  smtpHopP50Ms: number;
  /** pocketsphinx alone on the call's speech, ms; undefined when it is not installed. */
  pocketsphinxMs?: number;
  speechMs: number;
}

export async function run(n = 20): Promise<VoicemailEmailResult | undefined> {
  const sipp = findBinary("sipp");
  if (!sipp) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "omnivox-vmbench-"));
  const sink = await startStampingSink();
  const tts = createTtsEngine();
  try {
    const speech = (await synthesize8k(tts, SPOKEN)).samples;
    const speechMs = Math.round(speech.length / 8);
    const ulaw = new Uint8Array(speech.length);
    encodeUlaw(speech, ulaw);
    const audioFile = join(dir, "speech.ulaw");
    await writeFile(audioFile, ulaw);
    const scenarioFile = join(dir, "deposit.xml");
    await writeFile(scenarioFile, depositScenario(audioFile, speechMs));
    const result: VoicemailEmailResult = {
      runs: [await calls(sipp, dir, "none", sink, scenarioFile, n)],
      smtpHopP50Ms: await smtpHop(sink.port, 20),
      speechMs,
    };
    if (findBinary("pocketsphinx_continuous")) {
      const stt = createSttEngine("pocketsphinx");
      const t = performance.now();
      await stt.transcribe({ samples: speech, sampleRate: 8000 });
      result.pocketsphinxMs = performance.now() - t;
      result.runs.push(await calls(sipp, dir, "pocketsphinx", sink, scenarioFile, n));
    }
    return result;
  } finally {
    await tts.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await run(Number(process.argv[2] ?? 20)), null, 2));

export interface BenchRow {
  benchmark: string;
  figure: string;
  limit: string;
  ratio: string;
}

/** The rows bench/run.ts prints: each p50 beside the limit of its last step. */
export function rows(r: VoicemailEmailResult | undefined): BenchRow[] {
  if (!r)
    return [
      {
        benchmark: "Hang-up → email",
        figure: "not run: sipp not installed",
        limit: "-",
        ratio: "-",
      },
    ];
  return r.runs.map((x) => {
    const limit =
      x.stt === "none"
        ? { text: `pooled SMTP hop p50 ${r.smtpHopP50Ms.toFixed(1)} ms`, ms: r.smtpHopP50Ms }
        : {
            text: `pocketsphinx alone on the ${(r.speechMs / 1000).toFixed(1)} s message ${r.pocketsphinxMs?.toFixed(0)} ms`,
            ms: r.pocketsphinxMs ?? Number.NaN,
          };
    return {
      benchmark: `Hang-up → email at the sink, ${x.mails}/${x.calls} sipp calls, STT ${x.stt}`,
      figure: `p50 ${x.p50Ms.toFixed(0)} ms, p99 ${x.p99Ms.toFixed(0)} ms (first mail, opening the relay connection: ${x.firstMs.toFixed(0)} ms)`,
      limit: limit.text,
      ratio: (x.p50Ms / limit.ms).toFixed(2),
    };
  });
}
