// Voicemail deposit (README "Telephone and voicemail"): greeting, beep, then record until the caller hangs up, presses
// #, stays silent for `silenceMs`, or reaches `maxMs`. Trailing silence is not kept: frames of a
// silent run are held back and written only if speech resumes. Silence is wall-clock time: the
// leg puts out silent frames for packets that never come (DTX, comfort noise, a dead phone).

import type { CallLeg } from "../../core/telephony.ts";
import { rms } from "../../media/pcm.ts";

export interface RecordingSink {
  write(pcm: Int16Array): void;
  /** Makes the recording durable; resolves with what was kept. */
  finish(): Promise<{ durationMs: number }>;
  abort(): Promise<void>;
}

export interface DepositOptions {
  greeting: Int16Array;
  beep: Int16Array;
  maxMs: number;
  silenceMs: number;
  /** Messages shorter than this (or with no speech at all) are dropped. */
  minMs: number;
  /** Frames below this RMS level (linear, 0–32767) count as silence. */
  silenceLevel: number;
}

export type DepositEnd = "hangup" | "pound" | "silence" | "max";

export interface DepositResult {
  kept: boolean;
  durationMs: number;
  endedBy: DepositEnd;
}

const FRAME_MS = 20;

/**
 * Runs the deposit on `leg`. `onRecorded` runs once the recording is durable and must make the
 * message itself durable (store + gateway); when the caller hangs up, it runs before the BYE is
 * acknowledged.
 */
export async function runDeposit(
  leg: CallLeg,
  /** Opened only once recording starts: most calls that end during the greeting never need one. */
  openSink: () => Promise<RecordingSink>,
  opts: DepositOptions,
  onRecorded: (result: DepositResult) => Promise<void>,
): Promise<DepositResult> {
  const skip = new AbortController();
  const offDigitGreeting = leg.onDigit((d) => {
    if (d === "#") skip.abort();
  });
  const hungUpEarly = await Promise.race([
    leg.play(opts.greeting, { signal: skip.signal }).then(() => false),
    leg.ended.then(() => true),
  ]);
  offDigitGreeting();
  if (hungUpEarly) return { kept: false, durationMs: 0, endedBy: "hangup" };
  const [sink] = await Promise.all([openSink(), leg.play(opts.beep)]);

  let recordedMs = 0;
  let voicedMs = 0;
  let silentRun: Int16Array[] = [];
  // Silence the line's clock made up before the caller's first packet counts towards the end of
  // the message but is not recorded: the message starts when the caller's audio does.
  let leadingMs = 0;
  let heard = false;
  let stopping = false;
  let stop: (why: DepositEnd) => void = () => {};
  const stopped = new Promise<DepositEnd>((resolve) => {
    stop = (why) => {
      stopping = true;
      resolve(why);
    };
  });
  const offFrame = leg.onFrame((pcm, idle) => {
    // Frames that arrive between the stop and the unsubscribe are past the end of the message.
    if (stopping) return;
    if (idle && !heard) {
      leadingMs += FRAME_MS;
      if (leadingMs >= opts.silenceMs) stop("silence");
      return;
    }
    heard = true;
    if (rms(pcm) < opts.silenceLevel) {
      silentRun.push(pcm.slice());
      if (leadingMs + silentRun.length * FRAME_MS >= opts.silenceMs) stop("silence");
    } else {
      for (const held of silentRun) sink.write(held);
      recordedMs += silentRun.length * FRAME_MS;
      silentRun = [];
      leadingMs = 0;
      sink.write(pcm);
      recordedMs += FRAME_MS;
      voicedMs += FRAME_MS;
    }
    if (recordedMs + silentRun.length * FRAME_MS >= opts.maxMs) stop("max");
  });
  const offDigit = leg.onDigit((d) => {
    if (d === "#") stop("pound");
  });

  let result: DepositResult | undefined;
  const finalize = async (endedBy: DepositEnd): Promise<DepositResult> => {
    if (result) return result;
    stopping = true;
    offFrame();
    offDigit();
    if (voicedMs === 0 || recordedMs < opts.minMs) {
      await sink.abort();
      result = { kept: false, durationMs: recordedMs, endedBy };
      return result;
    }
    const { durationMs } = await sink.finish();
    result = { kept: true, durationMs, endedBy };
    await onRecorded(result);
    return result;
  };
  let finalizing: Promise<DepositResult> | undefined;
  leg.beforeHangupAck(async () => {
    finalizing ??= finalize("hangup");
    await finalizing;
  });
  const endedBy = await Promise.race([stopped, leg.ended.then((): DepositEnd => "hangup")]);
  finalizing ??= finalize(endedBy);
  return finalizing;
}
