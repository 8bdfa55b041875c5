// Test and benchmark fixture: speech as a telephone line carries it — synthesised by Debian
// espeak-ng or flite, resampled to 8 kHz by sox, then encoded to G.711 µ-law and decoded again.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { readWavFile, wavToPcm16 } from "../../src/media/wav.ts";

const run = promisify(execFile);

export type Synthesiser = "espeak-ng" | "flite";

/** Runs `samples` through µ-law and back, as an RTP leg would. */
export function throughUlaw(samples: Int16Array): Int16Array {
  const line = new Uint8Array(samples.length);
  encodeUlaw(samples, line);
  const out = new Int16Array(samples.length);
  decodeUlaw(line, out);
  return out;
}

/** 16-bit mono samples of `text` spoken by the synthesiser, resampled by sox (repeatable mode). */
export async function synthesize(
  text: string,
  synth: Synthesiser = "espeak-ng",
  sampleRate = 8000,
): Promise<Int16Array> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-stt-"));
  try {
    const spoken = join(dir, "spoken.wav");
    const out = join(dir, "out.wav");
    if (synth === "espeak-ng") await run("espeak-ng", ["-v", "en-us", "-w", spoken, text]);
    else await run("flite", ["-voice", "kal16", "-t", text, "-o", spoken]);
    // -R seeds sox's dither with a fixed number: the same text gives the same samples every run.
    const format = ["-r", String(sampleRate), "-c", "1", "-b", "16", "-e", "signed-integer"];
    await run("sox", ["-R", spoken, ...format, out]);
    const wav = await readWavFile(out);
    if (wav.sampleRate !== sampleRate || wav.channels !== 1) {
      throw new Error(`sox made ${wav.sampleRate} Hz × ${wav.channels}, not ${sampleRate} Hz mono`);
    }
    return wavToPcm16(wav);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 8 kHz samples of `text` as a telephone line carries them: synthesised, then a µ-law round trip. */
export async function phoneSpeech(
  text: string,
  synth: Synthesiser = "espeak-ng",
): Promise<Int16Array> {
  return throughUlaw(await synthesize(text, synth, 8000));
}
