// Voice → voice (docs/architecture.md "Systems and conversions" "codec/rate conversion, loudness
// normalisation"): any WAV omnivox reads (PCM 16-bit, G.711 µ-law/A-law; any rate; any channel
// count) becomes the 8 kHz mono 16-bit PCM a G.711 call carries, quiet audio raised to speech
// level. The resampler is injected (the gateway runs no speech code itself).

import { parseWav, WavError, wavToPcm16 } from "../../media/wav.ts";

export const PHONE_RATE = 8000;

export type Resample = (
  samples: Int16Array,
  fromRate: number,
  toRate: number,
) => Promise<Int16Array>;

/** Speech level we raise quiet audio to: about -20 dBFS RMS, as telephone prompts are. */
const TARGET_RMS = 3300;
/** Peaks stay under about -1 dBFS, so raising never clips. */
const PEAK_LIMIT = 29_000;
/** No more than +20 dB: beyond that the "signal" is mostly line noise. */
const MAX_GAIN = 10;

/** Averages interleaved channels into one. */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++) sum += samples[i * channels + ch]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Raises audio that is quieter than speech level (a soft microphone, a faint recording); loud
 * audio is left as it is, so what a phone already levelled is not touched twice.
 */
export function normaliseLoudness(samples: Int16Array): Int16Array {
  let energy = 0;
  let peak = 0;
  for (const s of samples) {
    energy += s * s;
    const a = Math.abs(s);
    if (a > peak) peak = a;
  }
  if (samples.length === 0 || peak === 0) return samples;
  const level = Math.sqrt(energy / samples.length);
  const gain = Math.min(TARGET_RMS / level, PEAK_LIMIT / peak, MAX_GAIN);
  if (gain <= 1.05) return samples;
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.round(samples[i]! * gain);
  return out;
}

export interface PhoneAudio {
  samples: Int16Array;
  durationMs: number;
}

/**
 * Decodes a WAV and converts it for the phone. Throws WavError (naming what is wrong) for input
 * it cannot read and for audio with no samples.
 */
export async function toPhoneAudio(bytes: Uint8Array, resample: Resample): Promise<PhoneAudio> {
  const wav = parseWav(bytes);
  if (wav.frames === 0) throw new WavError("the data chunk holds no samples");
  const mono = downmix(wavToPcm16(wav), wav.channels);
  const at8k =
    wav.sampleRate === PHONE_RATE ? mono : await resample(mono, wav.sampleRate, PHONE_RATE);
  const samples = normaliseLoudness(at8k);
  return { samples, durationMs: Math.round((samples.length * 1000) / PHONE_RATE) };
}

/**
 * Where audio conversion runs: inline (inlineAudio) or in worker threads (app/audio-pool.ts).
 * Both throw WavError for unreadable input; the pool also throws ConversionError for input over
 * its size limit or a conversion over its time budget.
 */
export interface AudioConverter {
  toPhoneAudio(bytes: Uint8Array): Promise<PhoneAudio>;
  resample: Resample;
}

/** Conversion on the calling thread, with the given resampler: for tests and small inputs. */
export function inlineAudio(resample: Resample): AudioConverter {
  return { toPhoneAudio: (bytes) => toPhoneAudio(bytes, resample), resample };
}
