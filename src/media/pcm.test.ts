// Tests for the PCM frame, level, generator and cross-correlation helpers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  concatPcm,
  crossCorrelate,
  FRAME_SAMPLES,
  frames,
  generateSweep,
  generateTone,
  peak,
  rms,
  samplesPerFrame,
  silenceFrame,
  toDbfs,
} from "./pcm.ts";

describe("frames and levels", () => {
  it("sizes a 20 ms frame", () => {
    assert.equal(FRAME_SAMPLES, 160);
    assert.equal(samplesPerFrame(), 160);
    assert.equal(samplesPerFrame(16000, 20), 320);
    assert.equal(samplesPerFrame(48000, 10), 480);
    assert.throws(() => samplesPerFrame(0), RangeError);
  });

  it("makes independent silence frames", () => {
    const a = silenceFrame();
    assert.equal(a.length, 160);
    a[0] = 5;
    assert.equal(silenceFrame()[0], 0);
    assert.throws(() => silenceFrame(-1), RangeError);
    assert.throws(() => silenceFrame(1.5), RangeError);
  });

  it("measures rms and peak", () => {
    assert.equal(rms(new Int16Array(0)), 0);
    assert.equal(rms(Int16Array.of(3, -3, 3, -3)), 3);
    assert.equal(peak(Int16Array.of(1, -32768, 20)), 32768);
    const tone = generateTone(1000, 100, 8000, 0.5);
    // A sine's rms is its amplitude / sqrt(2): about -9 dBFS at half scale.
    assert.ok(Math.abs(rms(tone) - (0.5 * 32767) / Math.SQRT2) < 50);
    assert.ok(Math.abs(toDbfs(rms(tone)) - -9.03) < 0.05);
    assert.equal(toDbfs(0), Number.NEGATIVE_INFINITY);
  });

  it("concatenates and splits into frames", () => {
    const joined = concatPcm([Int16Array.of(1, 2), new Int16Array(0), Int16Array.of(3)]);
    assert.deepEqual([...joined], [1, 2, 3]);
    const input = Int16Array.from({ length: 400 }, (_, i) => i + 1);
    const out = [...frames(input)];
    assert.deepEqual(
      out.map((f) => f.length),
      [160, 160, 160],
    );
    assert.equal(out[0]!.buffer, input.buffer, "whole frames are views");
    assert.equal(out[2]![79], 400);
    assert.equal(out[2]![80], 0, "short last frame is zero-padded");
    assert.deepEqual([...frames(new Int16Array(0))], []);
    assert.throws(() => [...frames(input, 0)], RangeError);
  });
});

describe("generators", () => {
  it("makes a tone of the requested length and frequency", () => {
    const tone = generateTone(1000, 20, 8000, 1);
    assert.equal(tone.length, 160);
    assert.equal(peak(tone), 32767);
    // 1 kHz at 8 kHz repeats every 8 samples.
    for (let i = 0; i + 8 < tone.length; i++) assert.ok(Math.abs(tone[i]! - tone[i + 8]!) <= 1);
  });

  it("rejects frequencies at or above Nyquist and bad amplitudes", () => {
    assert.throws(() => generateTone(4000, 20), RangeError);
    assert.throws(() => generateTone(-1, 20), RangeError);
    assert.throws(() => generateTone(440, 20, 8000, 1.5), RangeError);
    assert.throws(() => generateTone(440, Number.NaN), RangeError);
    assert.throws(() => generateSweep(300, 5000, 100), RangeError);
  });

  it("makes a sweep", () => {
    const sweep = generateSweep(300, 3400, 500);
    assert.equal(sweep.length, 4000);
    assert.ok(peak(sweep) > 16000 && peak(sweep) <= 16384);
  });
});

describe("crossCorrelate", () => {
  const sweep = generateSweep(300, 3000, 300);

  it("finds a delayed copy with leading silence and noise", () => {
    const delayed = concatPcm([new Int16Array(237), sweep, new Int16Array(100)]);
    let seed = 1;
    for (let i = 0; i < delayed.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      delayed[i] = delayed[i]! + ((seed % 2001) - 1000);
    }
    const result = crossCorrelate(sweep, delayed, 400);
    assert.equal(result.lag, 237);
    assert.ok(result.coefficient > 0.9, `coefficient ${result.coefficient}`);
  });

  it("finds a negative lag when b leads a", () => {
    const result = crossCorrelate(concatPcm([new Int16Array(50), sweep]), sweep, 80);
    assert.equal(result.lag, -50);
    assert.ok(result.coefficient > 0.999);
  });

  it("scores unrelated and silent signals low", () => {
    const other = generateSweep(3000, 300, 300);
    assert.ok(crossCorrelate(sweep, other, 100).coefficient < 0.3);
    assert.deepEqual(crossCorrelate(new Int16Array(100), new Int16Array(100), 10), {
      lag: 0,
      coefficient: 0,
    });
    assert.deepEqual(crossCorrelate(new Int16Array(0), sweep, 10), { lag: 0, coefficient: 0 });
  });

  it("sees an inverted copy as a negative match", () => {
    const inverted = sweep.map((v) => -v);
    assert.ok(crossCorrelate(sweep, inverted, 0).coefficient < -0.999);
  });

  it("rejects a bad maxLag", () => {
    assert.throws(() => crossCorrelate(sweep, sweep, -1), RangeError);
    assert.throws(() => crossCorrelate(sweep, sweep, 2.5), RangeError);
  });
});
