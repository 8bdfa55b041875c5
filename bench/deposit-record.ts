// Concurrent voicemail deposits through the real path: sipp places N calls at once into a started
// omnivox (SIP, the telephone system's deposit, the production WAV writer, the audio store and
// the voicemail row), each streaming the same µ-law noise over RTP; every stored message is then
// compared frame by frame with what sipp sent. A step counts only when every call completed and
// every sent 20 ms frame is in its stored WAV; steps stop at the first that does not. Beside it,
// measured in the same run: one Node socket's raw UDP receive rate.
// Run alone: npx tsx bench/deposit-record.ts  (exports run() for bench/run.ts)

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { decodeUlaw } from "../src/media/g711.ts";
import { parseWav, wavToPcm16 } from "../src/media/wav.ts";
import { startTestApp } from "../test/support/harness.ts";
import { findBinary } from "../test/support/peers.ts";
import { prng } from "../test/support/prng.ts";
import { depositScenario, runDepositCalls } from "./deposit-scenario.ts";
import { FRAME_SAMPLES, frameLossCounter } from "./frame-loss.ts";
import { rawUdpReceiveRate } from "./udp-limit.ts";

const STEPS = (process.env.OMNIVOX_BENCH_DEPOSIT_STEPS ?? "50,100,200,400,600,800")
  .split(",")
  .map(Number);
/** Long enough that every call of a step streams at the same time for several seconds. */
const AUDIO_MS = Number(process.env.OMNIVOX_BENCH_DEPOSIT_AUDIO_MS ?? 5000);
const FRAMES = AUDIO_MS / 20;
/** Wait after the # before streaming, as a caller waits for the beep (350 ms), with room to spare. */
const LEAD_MS = 2000;

/** Noise far above the silence level, every frame distinct. */
function callerAudio(): Uint8Array {
  const next = prng(0x5eed);
  const ulaw = new Uint8Array(FRAMES * FRAME_SAMPLES);
  // Random µ-law codes except the two zeros (0x7f, 0xff) and the quietest steps, so no frame
  // reads as silence and each decoded frame is unique.
  for (let i = 0; i < ulaw.length; i++) {
    const magnitude = 0x10 + Math.floor(next() * 0x40); // µ-law segments 6 down to 3 of 0-7
    ulaw[i] = (next() < 0.5 ? 0x80 : 0) | magnitude;
  }
  return ulaw;
}

export interface DepositStep {
  calls: number;
  /** sipp's exit code: 0 when every call completed. */
  sippExit: number | null;
  /** Voicemail messages stored for the calls of this step. */
  stored: number;
  framesSent: number;
  /** Sent frames missing from the stored WAVs (a call with no message misses all of its own). */
  framesLost: number;
  /** Of those, frames missing inside a message (between its first and last frame received). */
  framesLostInside: number;
  /** Of those, frames before a message's first: the caller spoke before recording began. */
  framesLostHead: number;
  /** Frames in the stored WAVs that sipp never sent (silence made up for a gap), in total. */
  framesExtra: number;
  /** Stored duration minus sent duration, worst message, ms. */
  worstDurationErrorMs: number;
  /** omnivox's event loop (this process) busy share while sipp ran. */
  loopUtilization: number;
  wallMs: number;
}

async function depositStep(
  sipp: string,
  calls: number,
  dir: string,
  scenarioFile: string,
  sent: Int16Array,
): Promise<DepositStep> {
  const countLoss = frameLossCounter(sent);
  const t = await startTestApp({
    // Two ports per call (RTP and RTCP) and the greetings' and beeps' own streams.
    rtpPortCount: 2 * calls + 40,
    sip: { listen: "127.0.0.1:0", limits: { exempt: ["127.0.0.1"], maxTransactions: 40_000 } },
    voicemail: { maxMessageMs: AUDIO_MS * 4 },
  });
  try {
    await t.addUser({ id: "alice", phones: ["15550001"] });
    const elu = performance.eventLoopUtilization();
    const began = performance.now();
    // Every call starts within two seconds, so all stream together for AUDIO_MS - 2 s.
    const sippExit = await runDepositCalls(sipp, t.app.ports.sip!, scenarioFile, {
      calls,
      rate: Math.max(5, Math.ceil(calls / 2)),
      limit: calls,
      logFile: join(dir, `sipp-${calls}.log`),
      dir,
    });
    const wallMs = performance.now() - began;
    const loop = performance.eventLoopUtilization(elu);
    // A message is durable before the 200 OK to BYE: what is stored now is all there will be.
    const messages = await t.app.store.voicemail.list("alice", { limit: calls + 10 });
    let framesLost = 0;
    let framesLostInside = 0;
    let framesLostHead = 0;
    let framesExtra = 0;
    let worstDurationErrorMs = 0;
    for (const vm of messages) {
      const blob = await t.app.store.audio.get(vm.audioId);
      const recorded = blob ? wavToPcm16(parseWav(blob.data)) : new Int16Array(0);
      const loss = countLoss(recorded);
      framesLost += loss.lost;
      framesLostInside += loss.lostInside;
      framesLostHead += loss.lostHead;
      framesExtra += loss.extra;
      worstDurationErrorMs = Math.max(worstDurationErrorMs, Math.abs(vm.durationMs - AUDIO_MS));
    }
    framesLost += Math.max(0, calls - messages.length) * FRAMES;
    return {
      calls,
      sippExit,
      stored: messages.length,
      framesSent: calls * FRAMES,
      framesLost,
      framesLostInside,
      framesLostHead,
      framesExtra,
      worstDurationErrorMs,
      loopUtilization: loop.utilization,
      wallMs,
    };
  } finally {
    await t.stop();
  }
}

export interface DepositRecordResult {
  rawUdpReceivePerSec: number;
  rawUdpSendPerSec: number;
  rawUdpReceivePerBusySec: number;
  steps: DepositStep[];
  /** The most concurrent calls of a step whose every sent frame was stored. */
  maxCallsZeroLoss: number;
  /**
   * The most concurrent calls up to which every step was also bit-exact: no frame made up either
   * (silence the line's clock put in for a packet that came late, which stretches the message).
   */
  maxCallsExact: number;
  /** RTP packets per second into omnivox at that step (50 per call). */
  packetsPerSecAtMax: number;
  loopUtilizationAtMax?: number;
  /** The first step with loss, if one was reached. */
  firstLossAt?: number;
  rawRatio: number;
}

export async function run(): Promise<DepositRecordResult | undefined> {
  const sipp = findBinary("sipp");
  if (!sipp) return undefined;
  const raw = await rawUdpReceiveRate();
  const dir = await mkdtemp(join(tmpdir(), "omnivox-bench-deposit-"));
  const result: DepositRecordResult = {
    rawUdpReceivePerSec: raw.received,
    rawUdpSendPerSec: raw.sent,
    rawUdpReceivePerBusySec: raw.perBusySecond,
    steps: [],
    maxCallsZeroLoss: 0,
    maxCallsExact: 0,
    packetsPerSecAtMax: 0,
    rawRatio: 0,
  };
  try {
    const ulaw = callerAudio();
    const sent = new Int16Array(ulaw.length);
    decodeUlaw(ulaw, sent);
    const audioFile = join(dir, "caller.ulaw");
    await writeFile(audioFile, ulaw);
    const scenarioFile = join(dir, "deposit.xml");
    await writeFile(scenarioFile, depositScenario(audioFile, AUDIO_MS, LEAD_MS));
    for (const calls of STEPS) {
      const step = await depositStep(sipp, calls, dir, scenarioFile, sent);
      result.steps.push(step);
      console.log(
        `${calls} calls: sipp exit ${step.sippExit}, ${step.stored} stored, ` +
          `${step.framesLost}/${step.framesSent} frames lost (${step.framesLostHead} at the start, ${step.framesLostInside} inside), ` +
          `${step.framesExtra} extra, worst duration error ${step.worstDurationErrorMs} ms, ` +
          `loop ${(step.loopUtilization * 100).toFixed(0)}% busy, ${(step.wallMs / 1000).toFixed(1)} s`,
      );
      if (step.framesLost > 0 || step.stored !== calls || step.sippExit !== 0) {
        result.firstLossAt = calls;
        break;
      }
      if (step.framesExtra === 0 && result.maxCallsExact === result.maxCallsZeroLoss)
        result.maxCallsExact = calls;
      result.maxCallsZeroLoss = calls;
      result.packetsPerSecAtMax = calls * 50;
      result.loopUtilizationAtMax = step.loopUtilization;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  result.rawRatio = result.packetsPerSecAtMax / raw.received;
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
