import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import pino from "pino";
import type { Config } from "../config/schema.ts";
import { ConversionError, WavError } from "../core/errors.ts";
import { toPhoneAudio } from "../gateway/convert/phone-audio.ts";
import { pcm16ToWav } from "../media/wav.ts";
import { resample } from "../speech/resample/resampler.ts";
import { createAudioPool } from "./audio-pool.ts";

const logger = pino({ level: "silent" });
const media = (o: Partial<Config["media"]> = {}): Config["media"] => ({
  workers: 1,
  budgetMs: 20_000,
  maxBytes: 32 * 1024 * 1024,
  inlineBytes: 0,
  workerMemoryMb: 256,
  ...o,
});

function stereo(seconds: number, rate = 44_100): Buffer {
  const pcm = new Int16Array(rate * seconds * 2);
  for (let i = 0; i < pcm.length / 2; i++) {
    pcm[2 * i] = Math.round(800 * Math.sin((2 * Math.PI * 440 * i) / rate));
    pcm[2 * i + 1] = Math.round(600 * Math.sin((2 * Math.PI * 300 * i) / rate));
  }
  return pcm16ToWav(pcm, rate, 2);
}

describe("audio pool", () => {
  const pool = createAudioPool(media(), logger);
  after(() => pool.close());

  it("converts in a thread exactly as inline conversion does", async () => {
    const wav = stereo(3);
    const got = await pool.toPhoneAudio(wav);
    const want = await toPhoneAudio(wav, resample);
    assert.equal(got.durationMs, 3000);
    assert.deepEqual(got.samples, want.samples);
  });

  it("resamples TTS output in a thread exactly as inline", async () => {
    const samples = new Int16Array(22_050 * 2).map((_, i) => Math.round(5000 * Math.sin(i / 7)));
    assert.deepEqual(
      await pool.resample(samples, 22_050, 8000),
      await resample(samples, 22_050, 8000),
    );
  });

  it("passes unreadable input on as the WAV error it is", async () => {
    await assert.rejects(
      pool.toPhoneAudio(Buffer.from("ID3 this is an mp3")),
      (err: unknown) => err instanceof WavError && /RIFF/.test(err.message),
    );
    // The thread goes on: the next conversion works.
    assert.equal((await pool.toPhoneAudio(stereo(1))).durationMs, 1000);
  });

  it("refuses input over media.maxBytes before any work", async () => {
    const small = createAudioPool(media({ maxBytes: 100_000 }), logger);
    try {
      await assert.rejects(small.toPhoneAudio(stereo(2)), (err: unknown) => {
        assert.ok(err instanceof ConversionError);
        assert.match(err.message, /over the 0\.1 MiB media\.maxBytes limit/);
        return true;
      });
    } finally {
      await small.close();
    }
  });

  it("fails a conversion over media.budgetMs with a ConversionError, never a hang", async () => {
    const tight = createAudioPool(media({ budgetMs: 1 }), logger);
    try {
      await assert.rejects(tight.toPhoneAudio(stereo(20)), (err: unknown) => {
        assert.ok(err instanceof ConversionError);
        assert.match(err.message, /longer than the 1 ms media\.budgetMs budget/);
        return true;
      });
    } finally {
      await tight.close();
    }
  });

  it("converts small input inline, below media.inlineBytes", async () => {
    const inline = createAudioPool(media({ inlineBytes: 1024 * 1024, budgetMs: 1 }), logger);
    try {
      // A 1 ms budget no thread could meet: only an inline conversion answers.
      assert.equal((await inline.toPhoneAudio(stereo(2))).durationMs, 2000);
    } finally {
      await inline.close();
    }
  });
});
