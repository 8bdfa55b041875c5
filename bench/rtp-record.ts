// RTP receive benchmark: (1) the raw UDP datagrams/s one Node socket receives here, the limit;
// (2) how many concurrent G.711 calls, each recorded to WAV, one event loop takes with zero loss.
// Run: npx tsx bench/rtp-record.ts  (exports run() for bench/run.ts)

import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { RtpPortPool } from "../src/protocols/rtp/port-pool.ts";
import { CallRecorder } from "../src/protocols/rtp/recorder.ts";
import { RtpSession } from "../src/protocols/rtp/session.ts";

const HOST = "127.0.0.1";
const STEPS = (process.env.OMNIVOX_BENCH_RTP_STEPS ?? "500,1000,1500,2000,2500,3000,4000")
  .split(",")
  .map(Number);
const STEP_MS = Number(process.env.OMNIVOX_BENCH_RTP_STEP_MS ?? 5000);
/** Schedule slip of the sender beyond which a step does not count (the reorder window is 80 ms). */
const SENDER_SLACK_MS = 100;

// The senders run in a worker thread so they never share the receiver's event loop. Plain
// CommonJS evaluated as a string: no loader is needed in the worker.
const SENDER = `
const { parentPort, workerData } = require("node:worker_threads");
const dgram = require("node:dgram");
const { mode, host, ports, durationMs, slices } = workerData;
let sent = 0, done = 0, errors = 0, stopped = false, maxBehindMs = 0;
const packet = (stream, seq) => {
  const b = Buffer.allocUnsafe(172);
  b[0] = 0x80; b[1] = 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(0x5000000 + stream, 8);
  for (let i = 0; i < 160; i++) b[12 + i] = 0x80 + ((i * 7 + seq) & 0x3f);
  return b;
};
const finish = () => parentPort.postMessage({ sent, errors, maxBehindMs });
const onSent = (error) => {
  if (error) errors++;
  if (++done === sent && stopped) finish();
};
const stop = () => { stopped = true; if (done === sent) finish(); };
// One connected socket per stream, like one phone per call, and no address lookup per send.
const connect = (port) => new Promise((resolve) => {
  const s = dgram.createSocket("udp4");
  s.bind(0, host, () => s.connect(port, host, () => resolve(s)));
});
Promise.all(ports.map(connect)).then((sockets) => {
  const start = performance.now() + 20;
  if (mode === "blast") {
    const b = packet(0, 0);
    const blast = () => {
      for (let i = 0; i < 64; i++) { sent++; sockets[0].send(b, onSent); }
      if (performance.now() - start < durationMs) setImmediate(blast); else stop();
    };
    setTimeout(blast, 20);
    return;
  }
  // Stream i sends packet k at start + 20 k + (i mod slices) × 20 / slices: 50 packets/s each,
  // spread over the 20 ms like independent phones, on deadlines so a late timer never drifts.
  const total = Math.round(durationMs / 20) * slices;
  const sliceMs = 20 / slices;
  let slice = 0;
  const tick = () => {
    const now = performance.now();
    while (slice < total && start + slice * sliceMs <= now) {
      const behind = now - (start + slice * sliceMs);
      if (behind > maxBehindMs) maxBehindMs = behind;
      const frame = Math.floor(slice / slices);
      for (let i = slice % slices; i < ports.length; i += slices) {
        sent++;
        sockets[i].send(packet(i, frame), onSent);
      }
      slice++;
    }
    if (slice < total) setTimeout(tick, Math.max(0, start + slice * sliceMs - performance.now()));
    else stop();
  };
  setTimeout(tick, Math.max(0, start - performance.now()));
});
`;

interface SenderResult {
  sent: number;
  errors: number;
  /** How far the sender fell behind its schedule; large values mean the sender was the limit. */
  maxBehindMs: number;
}

function sender(data: Record<string, unknown>): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SENDER, { eval: true, workerData: data });
    worker.once("message", (m: SenderResult) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", reject);
  });
}

/** UDP receive-buffer overflows so far, system-wide (Linux), to confirm where loss happens. */
function rcvbufErrors(): number {
  try {
    const lines = readFileSync("/proc/net/snmp", "utf8").split("\n");
    const udp = lines.filter((l) => l.startsWith("Udp:"));
    const names = udp[0]!.split(/\s+/);
    return Number(udp[1]!.split(/\s+/)[names.indexOf("RcvbufErrors")]);
  } catch {
    return Number.NaN;
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RawRate {
  received: number;
  sent: number;
  /** Datagrams per second of busy event loop: the receiver's capacity when the sender limits. */
  perBusySecond: number;
}

async function rawReceiveRate(durationMs = 2500): Promise<RawRate> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  let received = 0;
  let first = 0;
  let last = 0;
  socket.on("message", () => {
    if (received++ === 0) first = performance.now();
    last = performance.now();
  });
  const elu = performance.eventLoopUtilization();
  const port = socket.address().port;
  const { sent } = await sender({ mode: "blast", host: HOST, ports: [port], durationMs });
  await settle(200);
  const busy = performance.eventLoopUtilization(elu);
  socket.close();
  const seconds = (last - first) / 1000;
  return {
    received: received / seconds,
    sent: sent / (durationMs / 1000),
    perBusySecond: received / (busy.active / 1000),
  };
}

// Handling time per datagram at 0.1 µs resolution up to 2 ms (the rest counted in the last bucket).
const BUCKETS = 20_000;

interface Step {
  calls: number;
  sent: number;
  lost: number;
  /** Datagrams beyond those sent (strays from other processes on the machine). */
  strays: number;
  senderBehindMs: number;
  filledFrames: number;
  meanUs: number;
  p99Us: number;
  maxUs: number;
  loopUtilization: number;
  rcvbufErrors: number;
}

async function recordedCalls(calls: number, pool: RtpPortPool, dir: string): Promise<Step> {
  const histogram = new Uint32Array(BUCKETS);
  let maxUs = 0;
  let sumUs = 0;
  let t0 = 0;
  const before = () => {
    t0 = performance.now();
  };
  const afterPacket = () => {
    const us = (performance.now() - t0) * 1000;
    if (us > maxUs) maxUs = us;
    sumUs += us;
    histogram[Math.min(BUCKETS - 1, Math.floor(us * 10))]!++;
  };
  const sessions: RtpSession[] = [];
  const recorders: CallRecorder[] = [];
  for (let i = 0; i < calls; i++) {
    const session = await RtpSession.open(pool, { payloadType: 0 }, HOST);
    session.socket.prependListener("message", before);
    session.socket.on("message", afterPacket);
    sessions.push(session);
    recorders.push(await CallRecorder.open(join(dir, `${calls}-${i}.wav`), session));
  }
  const overflowBefore = rcvbufErrors();
  const elu = performance.eventLoopUtilization();
  const ports = sessions.map((s) => s.localPort);
  const { sent, maxBehindMs } = await sender({
    mode: "streams",
    host: HOST,
    ports,
    durationMs: STEP_MS,
    slices: 10,
  });
  await settle(300);
  const loop = performance.eventLoopUtilization(elu);
  let received = 0;
  let late = 0;
  for (const s of sessions) {
    const stats = s.stats;
    received += stats.datagrams;
    late += stats.jitter.late + stats.jitter.duplicates;
  }
  const results = await Promise.all(recorders.map((r) => r.close()));
  for (const s of sessions) s.close();
  let count = 0;
  let p99 = 0;
  const total = histogram.reduce((a, b) => a + b, 0);
  for (let i = 0; i < BUCKETS; i++) {
    count += histogram[i]!;
    if (count >= 0.99 * total) {
      p99 = (i + 1) / 10;
      break;
    }
  }
  return {
    calls,
    sent,
    lost: Math.max(0, sent - received) + late,
    strays: Math.max(0, received - sent),
    senderBehindMs: maxBehindMs,
    filledFrames: results.reduce((a, r) => a + r.filledFrames, 0),
    meanUs: sumUs / total,
    p99Us: p99,
    maxUs,
    loopUtilization: loop.utilization,
    rcvbufErrors: rcvbufErrors() - overflowBefore,
  };
}

export async function run(): Promise<Record<string, number>> {
  const raw = await rawReceiveRate();
  const dir = await mkdtemp(join(tmpdir(), "omnivox-bench-rtp-"));
  const pool = new RtpPortPool({ range: "10000-29999", host: HOST });
  const out: Record<string, number> = {
    rawUdpReceivePerSec: raw.received,
    rawUdpSendPerSec: raw.sent,
    rawUdpReceivePerBusySec: raw.perBusySecond,
    maxCallsZeroLoss: 0,
    p99HandlingUs: Number.NaN,
  };
  const began = performance.now();
  try {
    for (const calls of STEPS) {
      if (performance.now() - began > 55_000) break; // keep the whole bench near 90 s
      const step = await recordedCalls(calls, pool, dir);
      console.log(
        `${calls} calls: ${step.sent} sent, ${step.lost} lost, mean ${step.meanUs.toFixed(1)} µs, ` +
          `p99 ${step.p99Us.toFixed(1)} µs, ` +
          `max ${step.maxUs.toFixed(0)} µs, loop ${(step.loopUtilization * 100).toFixed(0)}% busy, ` +
          `${step.rcvbufErrors} kernel drops, sender ${step.senderBehindMs.toFixed(0)} ms behind, ` +
          `${step.strays} strays`,
      );
      // A sender that fell behind did not offer 50 packets/s per call: the step proves nothing.
      if (step.lost > 0 || step.sent !== calls * (STEP_MS / 20)) break;
      if (step.senderBehindMs > SENDER_SLACK_MS) {
        out.senderLimitedAt = calls;
        break;
      }
      out.maxCallsZeroLoss = calls;
      out.p99HandlingUs = step.p99Us;
      out.meanHandlingUs = step.meanUs;
      out.maxHandlingUs = step.maxUs;
      out.loopUtilization = step.loopUtilization;
      out.packetsPerSecAtMax = calls * 50;
      out.senderBehindMsAtMax = step.senderBehindMs;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  out.rawRatio = (out.packetsPerSecAtMax ?? 0) / raw.received;
  // Calls one fully busy loop would take at the measured cost per call (an estimate, not a test).
  out.projectedCallsFullLoop = (out.maxCallsZeroLoss ?? 0) / (out.loopUtilization ?? 1);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
