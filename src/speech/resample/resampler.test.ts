import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateTone, rms } from "../../media/pcm.ts";
import { Resampler, resample } from "./resampler.ts";

const db = (a: number, b: number) => 20 * Math.log10(a / b);
/** The middle of a signal, away from the filter's start-up and tail. */
const middle = (s: Int16Array) =>
  s.subarray(Math.floor(s.length / 4), Math.floor((s.length * 3) / 4));

/** Level of one frequency component (Goertzel), as the RMS of a sine of that amplitude. */
function toneLevel(s: Int16Array, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < s.length; i++) {
    re += s[i]! * Math.cos(w * i);
    im -= s[i]! * Math.sin(w * i);
  }
  return (Math.hypot(re, im) * 2) / s.length / Math.SQRT2;
}

describe("resample (speex WASM)", () => {
  it("keeps a 1 kHz tone's level within 1 dB from 22050 Hz to 8 kHz, at 1 kHz", async () => {
    const input = generateTone(1000, 1000, 22050, 0.5);
    const out = await resample(input, 22050, 8000);
    assert.equal(out.length, 8000);
    const change = db(rms(middle(out)), rms(middle(input)));
    assert.ok(Math.abs(change) <= 1, `level changed by ${change.toFixed(2)} dB`);
    const at1k = toneLevel(middle(out), 1000, 8000);
    assert.ok(Math.abs(db(at1k, rms(middle(out)))) < 0.5, "the energy is at 1 kHz");
  });

  it("attenuates a 6 kHz tone (above the 4 kHz Nyquist limit) by ≥ 40 dB", async () => {
    const input = generateTone(6000, 1000, 22050, 0.5);
    const out = await resample(input, 22050, 8000);
    const atten = db(rms(middle(input)), Math.max(rms(middle(out)), 1e-9));
    assert.ok(atten >= 40, `only ${atten.toFixed(1)} dB down`);
  });

  it("upsamples 8 kHz to 16 kHz with the tone preserved", async () => {
    const input = generateTone(440, 500, 8000, 0.3);
    const out = await resample(input, 8000, 16000);
    assert.equal(out.length, 8000);
    assert.ok(Math.abs(db(toneLevel(middle(out), 440, 16000), rms(middle(input)))) < 0.5);
  });

  it("streams in odd-sized chunks to the same result as one call", async () => {
    const input = generateTone(700, 400, 22050, 0.4);
    const whole = await resample(input, 22050, 8000);
    const r = await Resampler.create(22050, 8000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 333) parts.push(r.process(input.subarray(i, i + 333)));
    parts.push(r.flush());
    r.close();
    const streamed = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      streamed.set(p, at);
      at += p.length;
    }
    assert.ok(streamed.length >= whole.length);
    assert.deepEqual(streamed.subarray(0, whole.length), whole);
  });

  it("rejects bad rates and returns a copy for equal rates", async () => {
    await assert.rejects(resample(new Int16Array(10), 0, 8000), RangeError);
    const same = new Int16Array([1, 2, 3]);
    const out = await resample(same, 8000, 8000);
    assert.deepEqual(out, same);
    assert.notEqual(out, same);
  });
});
