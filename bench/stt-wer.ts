// STT on telephone audio: ten sentences by espeak-ng and flite (alternately), through 8 kHz G.711
// µ-law, transcribed by pocketsphinx; word error rate and real-time factor. Run: npx tsx bench/stt-wer.ts

import { PocketsphinxEngine, type PocketsphinxOptions } from "../src/speech/stt/pocketsphinx.ts";
import { phoneSpeech, type Synthesiser } from "../test/support/synth-speech.ts";
import { wordErrors } from "../test/support/wer.ts";

export const SENTENCES: readonly string[] = [
  "please call me back about the invoice",
  "the meeting has moved to thursday at three",
  "your package will arrive tomorrow morning",
  "i am running late and will be there soon",
  "can you send me the report before noon",
  "this is a reminder about your dentist appointment",
  "we need to talk about the budget for next year",
  "thank you for your order it has been shipped",
  "please let me know if you have any questions",
  "the weather today is cold and windy",
];

export interface SentenceResult {
  synth: Synthesiser;
  reference: string;
  hypothesis: string;
  wer: number;
  errors: number;
  referenceWords: number;
  confidence: number | undefined;
  audioSeconds: number;
  decodeSeconds: number;
}

export interface SttWerResult {
  /** Total word errors over total reference words, all sentences together. */
  wer: number;
  sentences: number;
  /** Decode wall time over audio duration, one decoder at a time (below 1 is faster than speech). */
  rtf: number;
  /** The same two figures per synthesiser. */
  bySynth: Record<Synthesiser, { wer: number; rtf: number }>;
  perSentence: SentenceResult[];
}

export async function run(opts: PocketsphinxOptions = {}): Promise<SttWerResult> {
  const engine = new PocketsphinxEngine({ concurrency: 1, ...opts });
  await engine.check();
  const perSentence: SentenceResult[] = [];
  for (const [i, reference] of SENTENCES.entries()) {
    const synth: Synthesiser = i % 2 === 0 ? "espeak-ng" : "flite";
    const samples = await phoneSpeech(reference, synth);
    const started = performance.now();
    const result = await engine.transcribe({ samples, sampleRate: 8000 });
    const decodeSeconds = (performance.now() - started) / 1000;
    const e = wordErrors(reference, result.text);
    perSentence.push({
      synth,
      reference,
      hypothesis: result.text,
      wer: e.wer,
      errors: e.substitutions + e.deletions + e.insertions,
      referenceWords: e.referenceWords,
      confidence: result.confidence,
      audioSeconds: samples.length / 8000,
      decodeSeconds,
    });
  }
  const total = (rows: SentenceResult[]) => {
    const sum = (f: (r: SentenceResult) => number) => rows.reduce((a, r) => a + f(r), 0);
    return {
      wer: sum((r) => r.errors) / sum((r) => r.referenceWords),
      rtf: sum((r) => r.decodeSeconds) / sum((r) => r.audioSeconds),
    };
  };
  return {
    ...total(perSentence),
    sentences: perSentence.length,
    bySynth: {
      "espeak-ng": total(perSentence.filter((r) => r.synth === "espeak-ng")),
      flite: total(perSentence.filter((r) => r.synth === "flite")),
    },
    perSentence,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run();
  console.table(
    result.perSentence.map((r) => ({
      synth: r.synth,
      reference: r.reference,
      hypothesis: r.hypothesis,
      wer: r.wer.toFixed(2),
      rtf: (r.decodeSeconds / r.audioSeconds).toFixed(2),
    })),
  );
  const { wer, rtf, bySynth } = result;
  console.log(
    `WER ${(wer * 100).toFixed(1)} % (espeak-ng ${(bySynth["espeak-ng"].wer * 100).toFixed(1)} %, ` +
      `flite ${(bySynth.flite.wer * 100).toFixed(1)} %), RTF ${rtf.toFixed(2)}`,
  );
}
