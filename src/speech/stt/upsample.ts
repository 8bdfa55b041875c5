// 8 → 16 kHz for the recognisers: an exact 2× Blackman-windowed sinc interpolator (32 taps),
// whole or streaming, plus a linear interpolator as the fallback for any other rate.

/** Input samples on each side of an interpolated point. */
const HALF = 16;

/**
 * Coefficients for the sample halfway between x[n] and x[n+1]: c[k] weighs x[n - HALF + 1 + k],
 * i.e. the point sits at offset (HALF - 0.5 - k) input samples from each tap.
 */
const COEFFS: Float64Array = (() => {
  const c = new Float64Array(2 * HALF);
  let sum = 0;
  for (let k = 0; k < 2 * HALF; k++) {
    const t = k - HALF + 0.5; // -15.5 … 15.5
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const phase = (Math.PI * t) / (HALF + 0.5);
    const window = 0.42 + 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
    c[k] = sinc * window;
    sum += c[k]!;
  }
  for (let k = 0; k < c.length; k++) c[k]! /= sum; // unity gain at DC
  return c;
})();

const clamp16 = (v: number) => (v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v));

/**
 * Streaming 2× upsampler: every input sample is passed through unchanged and followed by an
 * interpolated one. Output lags input by HALF samples until flush(); the total output of all
 * process() calls plus flush() is exactly twice the input, the same as one call on the whole.
 */
export class Upsampler2x {
  /** Input not yet fully used: x[next - HALF + 1 …], starting with HALF - 1 zeros of history. */
  #buf: Int16Array = new Int16Array(HALF - 1);

  process(input: Int16Array): Int16Array {
    const buf = new Int16Array(this.#buf.length + input.length);
    buf.set(this.#buf, 0);
    buf.set(input, this.#buf.length);
    // Point n (at buf index n + HALF - 1) needs buf[n … n + 2·HALF - 1].
    const count = Math.max(0, buf.length - (2 * HALF - 1));
    const out = new Int16Array(2 * count);
    for (let n = 0; n < count; n++) {
      out[2 * n] = buf[n + HALF - 1]!;
      let acc = 0;
      for (let k = 0; k < 2 * HALF; k++) acc += COEFFS[k]! * buf[n + k]!;
      out[2 * n + 1] = clamp16(acc);
    }
    this.#buf = buf.slice(count);
    return out;
  }

  /** Emits what is still held back (the input is taken to be followed by silence) and resets. */
  flush(): Int16Array {
    const out = this.process(new Int16Array(HALF));
    this.#buf = new Int16Array(HALF - 1);
    return out;
  }
}

/** 2× windowed-sinc upsampling of a whole signal (8 kHz → 16 kHz). */
export function upsample2x(samples: Int16Array): Int16Array {
  const up = new Upsampler2x();
  const head = up.process(samples);
  const tail = up.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/**
 * Linear interpolation from one rate to another. Fine for upsampling speech; downsampling this
 * way aliases whatever lies above the new Nyquist frequency, so it is a fallback only.
 */
export function resampleLinear(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const length = Math.floor((samples.length * to) / from);
  const out = new Int16Array(length);
  const step = from / to;
  for (let i = 0; i < length; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const frac = pos - j;
    const a = samples[j] ?? 0;
    const b = samples[j + 1] ?? a;
    out[i] = clamp16(a + (b - a) * frac);
  }
  return out;
}

/** Converts to 16 kHz, the rate the recognisers want: sinc for 8 kHz, linear otherwise. */
export function to16k(audio: { samples: Int16Array; sampleRate: number }): Int16Array {
  if (audio.sampleRate === 16000) return audio.samples;
  if (audio.sampleRate === 8000) return upsample2x(audio.samples);
  if (!(audio.sampleRate > 0)) throw new RangeError(`bad sample rate ${audio.sampleRate}`);
  return resampleLinear(audio.samples, audio.sampleRate, 16000);
}
