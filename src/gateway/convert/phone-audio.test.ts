// Voice → voice: any readable WAV becomes 8 kHz mono PCM at speech level — channels averaged,
// rate converted to the same length, quiet audio raised without clipping, loud audio untouched,
// and unreadable or empty input refused with a WavError that says why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeUlaw } from "../../media/g711.ts";
import { generateTone, peak, rms } from "../../media/pcm.ts";
import { encodeWav, pcm16ToWav, WavError } from "../../media/wav.ts";
import { resample } from "../../speech/resample/resampler.ts";
import { downmix, normaliseLoudness, toPhoneAudio } from "./phone-audio.ts";

test("stereo is averaged to mono", () => {
  assert.deepEqual([...downmix(Int16Array.of(100, 300, -200, 200), 2)], [200, 0]);
  const mono = Int16Array.of(1, 2, 3);
  assert.equal(downmix(mono, 1), mono);
});

test("quiet speech is raised to about -20 dBFS; loud audio and silence are left alone", () => {
  const quiet = generateTone(440, 500, 8000, 0.02);
  const raised = normaliseLoudness(quiet);
  assert.ok(rms(raised) > 2500 && rms(raised) < 4000, `rms ${rms(raised)}`);
  const loud = generateTone(440, 500, 8000, 0.5);
  assert.equal(normaliseLoudness(loud), loud);
  // A quiet signal with one loud click: the click bounds the gain, nothing clips.
  const clicky = generateTone(440, 500, 8000, 0.02);
  clicky[100] = 20_000;
  assert.ok(peak(normaliseLoudness(clicky)) <= 29_000);
  const silence = new Int16Array(800);
  assert.equal(normaliseLoudness(silence), silence);
});

test("a 16 kHz stereo WAV becomes 8 kHz mono of the same length", async () => {
  const tone = generateTone(440, 1000, 16_000, 0.4);
  const stereo = new Int16Array(tone.length * 2);
  for (let i = 0; i < tone.length; i++) {
    stereo[2 * i] = tone[i]!;
    stereo[2 * i + 1] = tone[i]!;
  }
  const out = await toPhoneAudio(pcm16ToWav(stereo, 16_000, 2), resample);
  assert.equal(out.samples.length, 8000);
  assert.equal(out.durationMs, 1000);
  assert.ok(rms(out.samples) > 5000, "the tone survives the conversion");
});

test("µ-law WAV at 8 kHz is decoded as it is", async () => {
  const tone = generateTone(440, 200, 8000, 0.4);
  const ulaw = new Uint8Array(tone.length);
  encodeUlaw(tone, ulaw);
  const out = await toPhoneAudio(encodeWav({ encoding: "ulaw", sampleRate: 8000 }, ulaw), resample);
  assert.equal(out.samples.length, tone.length);
});

test("garbage and a WAV without samples are refused, saying why", async () => {
  await assert.rejects(toPhoneAudio(Buffer.from("ID3 not a wav"), resample), WavError);
  await assert.rejects(toPhoneAudio(pcm16ToWav(new Int16Array(0), 8000), resample), /no samples/);
});
