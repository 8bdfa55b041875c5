// Linear 16-bit PCM helpers: telephone frame sizes (20 ms at 8 kHz, the RFC 3551 G.711 default
// packetisation), levels, test-signal generation and normalised cross-correlation.

export const TELEPHONE_RATE = 8000;
export const FRAME_MS = 20;
/** Samples in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;

const FULL_SCALE = 32768;

/** Samples in a frame of `ms` milliseconds at `rate` Hz (rounded down). */
export function samplesPerFrame(rate: number = TELEPHONE_RATE, ms: number = FRAME_MS): number {
  if (!(rate > 0) || !(ms >= 0)) throw new RangeError(`bad rate ${rate} or duration ${ms}`);
  return Math.floor((rate * ms) / 1000);
}

/** A new frame of digital silence (callers may write into it, so it is never shared). */
export function silenceFrame(samples: number = FRAME_SAMPLES): Int16Array {
  if (!Number.isInteger(samples) || samples < 0) throw new RangeError(`bad length ${samples}`);
  return new Int16Array(samples);
}

/** Root-mean-square level in linear units (0..32768). 0 for an empty array. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

/** Largest absolute sample value (0..32768). */
export function peak(samples: Int16Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    const a = v < 0 ? -v : v;
    if (a > max) max = a;
  }
  return max;
}

/** A linear level expressed in dB relative to full scale; -Infinity for 0. */
export function toDbfs(level: number): number {
  return 20 * Math.log10(level / FULL_SCALE);
}

/** Concatenates PCM arrays into one new array. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Int16Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Splits samples into frames of `size`. Whole frames are views (no copy); a short last frame is
 * copied into a zero-padded frame so every frame sent has the same duration.
 */
export function* frames(samples: Int16Array, size: number = FRAME_SAMPLES): Generator<Int16Array> {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`bad frame size ${size}`);
  let offset = 0;
  for (; offset + size <= samples.length; offset += size) {
    yield samples.subarray(offset, offset + size);
  }
  if (offset < samples.length) {
    const last = new Int16Array(size);
    last.set(samples.subarray(offset));
    yield last;
  }
}

function checkSignal(ms: number, rate: number, amplitude: number, ...freqs: number[]): number {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`bad sample rate ${rate}`);
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`bad duration ${ms} ms`);
  if (!(amplitude >= 0 && amplitude <= 1)) {
    throw new RangeError(`amplitude ${amplitude} is not a fraction of full scale (0..1)`);
  }
  for (const f of freqs) {
    // Above Nyquist the tone would alias into a different frequency than the one asked for.
    if (!(f >= 0 && f < rate / 2)) throw new RangeError(`${f} Hz is outside 0..${rate / 2} Hz`);
  }
  return Math.round((rate * ms) / 1000);
}

/** A sine tone; `amplitude` is a fraction of full scale (0..1). */
export function generateTone(
  freqHz: number,
  ms: number,
  rate: number = TELEPHONE_RATE,
  amplitude = 0.5,
): Int16Array {
  const n = checkSignal(ms, rate, amplitude, freqHz);
  const out = new Int16Array(n);
  const scale = amplitude * 32767;
  const w = (2 * Math.PI * freqHz) / rate;
  for (let i = 0; i < n; i++) out[i] = Math.round(scale * Math.sin(w * i));
  return out;
}

/** A linear sweep (chirp) from `startHz` to `endHz`; unlike a tone it correlates at one lag only. */
export function generateSweep(
  startHz: number,
  endHz: number,
  ms: number,
  rate: number = TELEPHONE_RATE,
  amplitude = 0.5,
): Int16Array {
  const n = checkSignal(ms, rate, amplitude, startHz, endHz);
  const out = new Int16Array(n);
  const scale = amplitude * 32767;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.round(scale * Math.sin(phase));
    const f = startHz + ((endHz - startHz) * i) / Math.max(1, n - 1);
    phase += (2 * Math.PI * f) / rate; // integrate frequency so the phase stays continuous
  }
  return out;
}

export interface Correlation {
  /** Shift of b against a: b[i + lag] lines up with a[i]. Positive when b is delayed. */
  lag: number;
  /** Normalised correlation at that lag, -1..1; 0 when either signal is silent. */
  coefficient: number;
}

/**
 * Finds the lag in [-maxLag, maxLag] where a and b match best. Each lag is normalised by the
 * energy of the overlapping parts only, so a recording with leading silence or extra tail still
 * scores near 1; lags whose overlap is under half the shorter signal are not considered, since
 * a few samples would otherwise match by chance.
 */
export function crossCorrelate(a: Int16Array, b: Int16Array, maxLag: number): Correlation {
  if (!Number.isInteger(maxLag) || maxLag < 0) throw new RangeError(`bad maxLag ${maxLag}`);
  const best: Correlation = { lag: 0, coefficient: 0 };
  const minOverlap = Math.max(1, Math.ceil(Math.min(a.length, b.length) / 2));
  const energyA = prefixEnergy(a);
  const energyB = prefixEnergy(b);
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const start = Math.max(0, -lag); // first index i of a with b[i + lag] inside b
    const end = Math.min(a.length, b.length - lag);
    if (end - start < minOverlap) continue;
    let dot = 0;
    for (let i = start; i < end; i++) dot += a[i]! * b[i + lag]!;
    const ea = energyA[end]! - energyA[start]!;
    const eb = energyB[end + lag]! - energyB[start + lag]!;
    const coefficient = ea > 0 && eb > 0 ? dot / Math.sqrt(ea * eb) : 0;
    // Ties (silence, periodic signals) go to the smallest shift.
    if (
      coefficient > bestScore ||
      (coefficient === bestScore && Math.abs(lag) < Math.abs(best.lag))
    ) {
      bestScore = coefficient;
      best.lag = lag;
      best.coefficient = coefficient;
    }
  }
  return best;
}

function prefixEnergy(x: Int16Array): Float64Array {
  const out = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) out[i + 1] = out[i]! + x[i]! * x[i]!;
  return out;
}
