// G.711 µ-law and A-law companding of 16-bit linear PCM (ITU-T G.711, 11/1988), built from the
// segment/quantisation rules of the recommendation; every table is computed once at module load.

/** The µ-law byte for a zero sample (positive zero), e.g. for silence frames. */
export const ULAW_SILENCE = 0xff;
/** The A-law byte for the smallest positive sample, which is what A-law sends for silence. */
export const ALAW_SILENCE = 0xd5;

// G.711 works on 14-bit (µ-law) and 13-bit (A-law) two's-complement samples. The 16-bit input
// is scaled down by an arithmetic shift, and negative values take their one's complement as
// magnitude, so the characteristic is symmetric (-1 is "negative zero", not magnitude 1).
const ULAW_BIAS = 33; // in 14-bit units; makes segment boundaries fall on powers of two
const ULAW_MAX_MAGNITUDE = 8191 - ULAW_BIAS; // 8158: larger magnitudes clip to the top code

function ulawEncode14(sample14: number): number {
  const positive = sample14 >= 0;
  let magnitude = positive ? sample14 : ~sample14;
  if (magnitude > ULAW_MAX_MAGNITUDE) magnitude = ULAW_MAX_MAGNITUDE;
  const biased = magnitude + ULAW_BIAS; // 33..8191, i.e. segment s covers [2^(s+5), 2^(s+6))
  let segment = 0;
  while (biased >= 64 << segment) segment++;
  const step = (biased >> (segment + 1)) & 0x0f;
  // µ-law inverts the seven magnitude bits on the line; bit 7 set means positive.
  return ((positive ? 0x80 : 0) | (segment << 4) | step) ^ 0x7f;
}

function ulawDecodeByte(code: number): number {
  const bits = code ^ 0x7f;
  const segment = (bits >> 4) & 0x07;
  const step = bits & 0x0f;
  // Decision-interval midpoint in 14-bit units, scaled to 16 bits.
  const magnitude = (((2 * step + ULAW_BIAS) << segment) - ULAW_BIAS) << 2;
  return bits & 0x80 ? magnitude : -magnitude;
}

function alawEncode13(sample13: number): number {
  const positive = sample13 >= 0;
  const magnitude = positive ? sample13 : ~sample13; // 0..4095, so no clipping is needed
  let segment = 0;
  // Segments 0 and 1 share step size 2; from segment 1 on each covers [2^(s+4), 2^(s+5)).
  while (segment < 7 && magnitude >= 32 << segment) segment++;
  const step = segment === 0 ? magnitude >> 1 : (magnitude >> segment) & 0x0f;
  // A-law inverts the even bits on the line; bit 7 set means positive.
  return ((positive ? 0x80 : 0) | (segment << 4) | step) ^ 0x55;
}

function alawDecodeByte(code: number): number {
  const bits = code ^ 0x55;
  const segment = (bits >> 4) & 0x07;
  const step = bits & 0x0f;
  const magnitude13 = segment === 0 ? 2 * step + 1 : (2 * step + 33) << (segment - 1);
  const magnitude = magnitude13 << 3;
  return bits & 0x80 ? magnitude : -magnitude;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code);
  return table;
}

/** µ-law byte → linear 16-bit sample. */
export const ULAW_DECODE_TABLE: Int16Array = buildDecodeTable(ulawDecodeByte);
/** A-law byte → linear 16-bit sample. */
export const ALAW_DECODE_TABLE: Int16Array = buildDecodeTable(alawDecodeByte);

// Encode tables are indexed by the 14-/13-bit sample offset to be non-negative: one lookup per
// sample, 16 KiB + 8 KiB, small enough to stay in cache on the recording path.
const ULAW_ENCODE_TABLE = new Uint8Array(1 << 14);
for (let i = 0; i < 1 << 14; i++) ULAW_ENCODE_TABLE[i] = ulawEncode14(i - (1 << 13));
const ALAW_ENCODE_TABLE = new Uint8Array(1 << 13);
for (let i = 0; i < 1 << 13; i++) ALAW_ENCODE_TABLE[i] = alawEncode13(i - (1 << 12));

/** Linear 16-bit sample → µ-law byte. Out-of-range input is clamped to 16 bits first. */
export function linearToUlaw(sample: number): number {
  return ULAW_ENCODE_TABLE[(clamp16(sample) >> 2) + 8192]!;
}

/** Linear 16-bit sample → A-law byte. */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE_TABLE[(clamp16(sample) >> 3) + 4096]!;
}

export function ulawToLinear(code: number): number {
  return ULAW_DECODE_TABLE[code & 0xff]!;
}

export function alawToLinear(code: number): number {
  return ALAW_DECODE_TABLE[code & 0xff]!;
}

function clamp16(sample: number): number {
  return sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample | 0;
}

function checkLengths(srcLength: number, dstLength: number): void {
  if (dstLength < srcLength) {
    throw new RangeError(`destination holds ${dstLength} samples, source has ${srcLength}`);
  }
}

// The bulk functions fill the caller's buffer (which may be longer than src) and return the
// number of samples written, so a receive loop can reuse one frame buffer per call.

export function decodeUlaw(src: Uint8Array, dst: Int16Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = ULAW_DECODE_TABLE[src[i]!]!;
  return n;
}

export function decodeAlaw(src: Uint8Array, dst: Int16Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = ALAW_DECODE_TABLE[src[i]!]!;
  return n;
}

export function encodeUlaw(src: Int16Array, dst: Uint8Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  // Int16Array elements are already in range, so no clamping is needed here.
  for (let i = 0; i < n; i++) dst[i] = ULAW_ENCODE_TABLE[(src[i]! >> 2) + 8192]!;
  return n;
}

export function encodeAlaw(src: Int16Array, dst: Uint8Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = ALAW_ENCODE_TABLE[(src[i]! >> 3) + 4096]!;
  return n;
}

// Transcoding maps each code to the code of the other law whose reconstruction level is nearest
// (ties towards zero, polarity kept), the principle of G.711's conversion tables. Going through an encoder
// instead would lose up to a whole step where decision intervals change width at a segment edge.
function buildTranscodeTable(from: Int16Array, to: Int16Array): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    const level = from[code]!;
    // Only codes of the same polarity qualify, which keeps µ-law's -0 and +0 apart.
    const polarity = code & 0x80;
    let best = polarity;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let candidate = polarity; candidate < polarity + 128; candidate++) {
      const value = to[candidate]!;
      const distance = Math.abs(value - level);
      if (
        distance < bestDistance ||
        (distance === bestDistance && Math.abs(value) < Math.abs(to[best]!))
      ) {
        best = candidate;
        bestDistance = distance;
      }
    }
    table[code] = best;
  }
  return table;
}

/** µ-law byte → A-law byte. */
export const ULAW_TO_ALAW: Uint8Array = buildTranscodeTable(ULAW_DECODE_TABLE, ALAW_DECODE_TABLE);
/** A-law byte → µ-law byte. */
export const ALAW_TO_ULAW: Uint8Array = buildTranscodeTable(ALAW_DECODE_TABLE, ULAW_DECODE_TABLE);

/** Transcodes µ-law bytes into A-law bytes (src and dst may be the same array). */
export function ulawToAlaw(src: Uint8Array, dst: Uint8Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = ULAW_TO_ALAW[src[i]!]!;
  return n;
}

/** Transcodes A-law bytes into µ-law bytes (src and dst may be the same array). */
export function alawToUlaw(src: Uint8Array, dst: Uint8Array): number {
  checkLengths(src.length, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = ALAW_TO_ULAW[src[i]!]!;
  return n;
}
