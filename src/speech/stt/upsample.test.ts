// Tests of the 2× windowed-sinc upsampler (8 → 16 kHz) and the linear fallback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { resampleLinear, to16k, Upsampler2x, upsample2x } from "./upsample.ts";

function sine(freq: number, rate: number, n: number, amp = 10000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Signal-to-error ratio in dB of `got` against `want`, skipping `edge` samples at each end. */
function snr(got: Int16Array, want: Int16Array, edge: number): number {
  let sig = 0;
  let err = 0;
  for (let i = edge; i < want.length - edge; i++) {
    sig += want[i]! ** 2;
    err += (got[i]! - want[i]!) ** 2;
  }
  return 10 * Math.log10(sig / Math.max(err, 1e-9));
}

test("output is twice as long and keeps every input sample at the even positions", () => {
  const input = sine(440, 8000, 1000);
  const out = upsample2x(input);
  assert.equal(out.length, 2000);
  for (let i = 0; i < input.length; i++) assert.equal(out[2 * i], input[i]);
});

test("tones across the telephone band come out as the same tone at 16 kHz (SNR > 40 dB)", () => {
  for (const freq of [300, 1000, 2000, 3400]) {
    const out = upsample2x(sine(freq, 8000, 4000));
    const ideal = sine(freq, 16000, 8000);
    const db = snr(out, ideal, 64);
    assert.ok(db > 40, `${freq} Hz: SNR ${db.toFixed(1)} dB`);
  }
});

test("a plain repeat of samples (zero-order hold) would fail that bar, so the test has teeth", () => {
  const input = sine(2000, 8000, 4000);
  const held = new Int16Array(8000);
  for (let i = 0; i < input.length; i++) held[2 * i] = held[2 * i + 1] = input[i]!;
  assert.ok(snr(held, sine(2000, 16000, 8000), 64) < 20);
});

test("streaming frame by frame gives exactly the whole-signal result", () => {
  const input = sine(1234, 8000, 1600);
  const whole = upsample2x(input);
  const up = new Upsampler2x();
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += 160)
    parts.push(up.process(input.subarray(at, at + 160)));
  parts.push(up.flush());
  const streamed = Int16Array.from(parts.flatMap((p) => Array.from(p)));
  assert.deepEqual(streamed, whole);
});

test("full-scale input clips instead of wrapping", () => {
  const square = new Int16Array(400);
  for (let i = 0; i < square.length; i++) square[i] = (i >> 3) % 2 ? 32767 : -32768;
  const out = upsample2x(square);
  // Gibbs overshoot past full scale must saturate: no sign flips between equal-sign neighbours.
  for (let i = 40; i < out.length - 40; i += 2) {
    if (square[i / 2] === 32767 && square[i / 2 + 1] === 32767) assert.ok(out[i + 1]! > 0);
  }
});

test("linear resampling and to16k pick the right conversion", () => {
  assert.deepEqual(
    resampleLinear(Int16Array.of(0, 100, 200), 8000, 16000),
    Int16Array.of(0, 50, 100, 150, 200, 200),
  );
  const s16 = new Int16Array(10);
  assert.equal(to16k({ samples: s16, sampleRate: 16000 }), s16);
  assert.equal(to16k({ samples: new Int16Array(100), sampleRate: 8000 }).length, 200);
  assert.equal(to16k({ samples: new Int16Array(441), sampleRate: 44100 }).length, 160);
  assert.throws(() => to16k({ samples: s16, sampleRate: 0 }), RangeError);
});
