// Stored voicemail (WAV) re-encoded for mail and links (README "Voicemail by mail and chat"): MP3
// (MPEG-1/2/2.5 Layer III by LAME) or Ogg Vorbis, both from wasm-media-encoders compiled to WASM,
// at the recording's own rate and mono, so an 8 kHz call needs no resampling.

import { createMp3Encoder, createOggEncoder } from "wasm-media-encoders";
import type { AudioFormat } from "../core/profile.ts";
import { parseWav, wavToPcm16 } from "./wav.ts";

export type CompressedFormat = Exclude<AudioFormat, "wav">;

/** Rates LAME writes (MPEG-2.5 down to 8 kHz); a WAV at another rate is refused by it. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
type Mp3Rate = (typeof MP3_RATES)[number];
const isMp3Rate = (rate: number): rate is Mp3Rate =>
  (MP3_RATES as readonly number[]).includes(rate);

/** Interleaved channels averaged into one: voicemail is speech, and mono halves the size. */
function mono(pcm: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return pcm;
  const out = new Int16Array(Math.floor(pcm.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** One second at a time: the encoders copy each block into their own WASM memory. */
const BLOCK = 8000;

/**
 * Encodes a WAV (any encoding parseWav reads) as `format`. Speech quality, not music: MP3 VBR
 * quality 5 (about 16 kbit/s at 8 kHz), Vorbis quality 3. Throws WavError for what is no WAV.
 */
export async function encodeCompressed(
  wav: Uint8Array,
  format: CompressedFormat,
): Promise<Uint8Array> {
  const parsed = parseWav(wav);
  const pcm = mono(wavToPcm16(parsed), parsed.channels);
  const { sampleRate } = parsed;
  const encoder = format === "mp3" ? await createMp3Encoder() : await createOggEncoder();
  if (format === "mp3") {
    if (!isMp3Rate(sampleRate)) throw new RangeError(`MP3 cannot carry ${sampleRate} Hz audio`);
    (encoder as Awaited<ReturnType<typeof createMp3Encoder>>).configure({
      channels: 1,
      sampleRate,
      vbrQuality: 5,
    });
  } else {
    (encoder as Awaited<ReturnType<typeof createOggEncoder>>).configure({
      channels: 1,
      sampleRate,
      vbrQuality: 3,
    });
  }
  const parts: Uint8Array[] = [];
  const block = new Float32Array(BLOCK);
  for (let at = 0; at < pcm.length; at += BLOCK) {
    const n = Math.min(BLOCK, pcm.length - at);
    for (let i = 0; i < n; i++) block[i] = pcm[at + i]! / 32768;
    // The encoder's output view is reused by its next call: copy it out.
    parts.push(encoder.encode([block.subarray(0, n)]).slice());
  }
  parts.push(encoder.finalize().slice());
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
