// Real-time factor of a TTS engine (synthesis time ÷ duration of the audio it made), for
// `npm run bench` (docs/architecture.md "Performance"): below 1 means faster than real time.

import type { TtsEngine, TtsOptions } from "../src/speech/tts/engine.ts";

/** Ten words, mixed lengths, a number and punctuation, as a voicemail notice might read. */
export const BENCH_SENTENCE = "You have three new messages from Alice, received this morning.";

export interface TtsRtf {
  engine: string;
  /** Mean synthesis time of the timed runs, ms. */
  synthMs: number;
  /** Duration of the audio produced, ms. */
  audioMs: number;
  rtf: number;
  /** The first call, which loads the engine (WASM, worker, voice data), ms. */
  warmupMs: number;
  runs: number;
}

export async function measureTtsRtf(
  engine: TtsEngine,
  opts: { text?: string; runs?: number } & Omit<TtsOptions, "signal"> = {},
): Promise<TtsRtf> {
  const text = opts.text ?? BENCH_SENTENCE;
  const runs = opts.runs ?? 3;
  const say = { voice: opts.voice, language: opts.language };
  let t = performance.now();
  await engine.synthesize(text, say);
  const warmupMs = performance.now() - t;
  let totalMs = 0;
  let audioMs = 0;
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const audio = await engine.synthesize(text, say);
    totalMs += performance.now() - t;
    audioMs = (audio.samples.length / audio.sampleRate) * 1000;
  }
  const synthMs = totalMs / runs;
  return { engine: engine.name, synthMs, audioMs, rtf: synthMs / audioMs, warmupMs, runs };
}
