// Speech boundaries from the WebRTC VAD: trimSilence() cuts leading and trailing non-speech from a
// recording or TTS output; EndOfSpeech says when a caller has stopped talking (DESIGN §3).

import { resample } from "../resample/resampler.ts";
import { createVad, VAD_RATES, type Vad, type VadMode } from "./vad.ts";

/** 20 ms frames the VAD needs before its decisions mean anything (measured: 4 on noise). */
const WARMUP_FRAMES = 8;

export interface TrimOptions {
  mode?: VadMode;
  /** Kept on each side of the speech so word onsets and decays are not clipped. */
  paddingMs?: number;
}

/**
 * Returns the part of `samples` from the first to the last speech frame, padded; an empty array
 * when there is no speech at all. Rates the VAD does not take (22050 Hz) are analysed at 8 kHz.
 */
export async function trimSilence(
  samples: Int16Array,
  rate: number,
  opts: TrimOptions = {},
): Promise<Int16Array> {
  const paddingMs = opts.paddingMs ?? 100;
  const vadRate = (VAD_RATES as readonly number[]).includes(rate) ? rate : 8000;
  const analysed = vadRate === rate ? samples : await resample(samples, rate, vadRate);
  const frame = (vadRate / 1000) * 20;
  const vad = await createVad({ mode: opts.mode ?? 2, sampleRate: vadRate });
  let first = -1;
  let last = -1;
  try {
    // A fresh WebRTC VAD calls its first ~80 ms speech whatever they hold, until its noise
    // estimate settles: let it settle on the signal's own opening before deciding anything.
    for (let i = 0; i + frame <= Math.min(analysed.length, WARMUP_FRAMES * frame); i += frame) {
      vad.isSpeech(analysed.subarray(i, i + frame));
    }
    for (let i = 0; i + frame <= analysed.length; i += frame) {
      if (vad.isSpeech(analysed.subarray(i, i + frame))) {
        if (first < 0) first = i;
        last = i + frame;
      }
    }
  } finally {
    vad.close();
  }
  if (first < 0) return new Int16Array(0);
  const scale = rate / vadRate;
  const pad = Math.round((rate * paddingMs) / 1000);
  const start = Math.max(0, Math.floor(first * scale) - pad);
  const end = Math.min(samples.length, Math.ceil(last * scale) + pad);
  return samples.slice(start, end);
}

export interface EndOfSpeechOptions {
  /** Non-speech after speech that ends the utterance. */
  silenceMs?: number;
  /** Speech needed before an utterance counts as started, so a click or a cough does not. */
  minSpeechMs?: number;
  /** Decisions ignored at the start while a fresh VAD's noise estimate settles. */
  warmupMs?: number;
}

export type EndOfSpeechState = "waiting" | "speaking" | "ended";

/**
 * Feeds audio of any chunk size (RTP payloads of 20 or 30 ms) through the VAD in 20 ms frames.
 * "waiting" until minSpeechMs of consecutive speech, "speaking" after, "ended" (sticky) once
 * silenceMs of non-speech follows. The caller owns the VAD and its sample rate.
 */
export class EndOfSpeech {
  readonly #vad: Vad;
  readonly #frame: number;
  readonly #frameMs = 20;
  readonly #silenceMs: number;
  readonly #minSpeechMs: number;
  readonly #buf: Int16Array;
  #fill = 0;
  #run = 0;
  #quiet = 0;
  #speechMs = 0;
  #warmup: number;
  #state: EndOfSpeechState = "waiting";

  constructor(vad: Vad, opts: EndOfSpeechOptions = {}) {
    this.#vad = vad;
    this.#frame = (vad.sampleRate / 1000) * this.#frameMs;
    this.#buf = new Int16Array(this.#frame);
    this.#silenceMs = opts.silenceMs ?? 700;
    this.#minSpeechMs = opts.minSpeechMs ?? 60;
    this.#warmup = opts.warmupMs ?? WARMUP_FRAMES * this.#frameMs;
  }

  get state(): EndOfSpeechState {
    return this.#state;
  }

  /** Speech heard so far, ms. */
  get speechMs(): number {
    return this.#speechMs;
  }

  push(chunk: Int16Array): EndOfSpeechState {
    for (let i = 0; i < chunk.length && this.#state !== "ended"; ) {
      const n = Math.min(this.#frame - this.#fill, chunk.length - i);
      this.#buf.set(chunk.subarray(i, i + n), this.#fill);
      this.#fill += n;
      i += n;
      if (this.#fill === this.#frame) {
        this.#fill = 0;
        this.#step(this.#vad.isSpeech(this.#buf));
      }
    }
    return this.#state;
  }

  #step(speech: boolean): void {
    if (this.#warmup > 0) {
      this.#warmup -= this.#frameMs;
      return;
    }
    if (speech) {
      this.#speechMs += this.#frameMs;
      this.#run += this.#frameMs;
      this.#quiet = 0;
      if (this.#state === "waiting" && this.#run >= this.#minSpeechMs) this.#state = "speaking";
      return;
    }
    this.#run = 0;
    if (this.#state !== "speaking") return;
    this.#quiet += this.#frameMs;
    if (this.#quiet >= this.#silenceMs) this.#state = "ended";
  }
}
