// RIFF WAVE encode and decode for 16-bit PCM and G.711 µ-law/A-law (format tags 7 and 6, with the
// `fact` chunk non-PCM formats require), per the Microsoft RIFF/WAVE format specification.
import { readFile } from "node:fs/promises";
import { WavError } from "../core/errors.ts";
import { decodeAlaw, decodeUlaw } from "./g711.ts";

export type WavEncoding = "pcm16" | "ulaw" | "alaw";

export interface WavFormat {
  encoding: WavEncoding;
  sampleRate: number;
  /** Defaults to 1 (mono) when writing. */
  channels?: number;
}

export interface WavFile {
  encoding: WavEncoding;
  sampleRate: number;
  channels: number;
  /** Sample data as stored (little-endian PCM or G.711 bytes): a view into the input, whole frames only. */
  data: Uint8Array;
  /** Samples per channel. */
  frames: number;
  durationMs: number;
}

// What parseWav throws for a file it cannot read; the class lives in the one error table.
export { WavError } from "../core/errors.ts";

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_ALAW = 6;
export const WAVE_FORMAT_MULAW = 7;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

const TAGS: Record<WavEncoding, number> = {
  pcm16: WAVE_FORMAT_PCM,
  alaw: WAVE_FORMAT_ALAW,
  ulaw: WAVE_FORMAT_MULAW,
};
const MAX_RIFF_SIZE = 0xffffffff;

export const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function bytesPerSample(encoding: WavEncoding): number {
  return encoding === "pcm16" ? 2 : 1;
}

/** Where the sizes a streaming writer must patch sit in the header `wavHeader` builds. */
export interface WavHeaderLayout {
  headerBytes: number;
  dataSizeOffset: number;
  /** Offset of the `fact` sample count, or -1 for PCM (which has no `fact` chunk). */
  factOffset: number;
}

export function wavHeaderLayout(encoding: WavEncoding): WavHeaderLayout {
  // PCM: RIFF(12) fmt(8+16) data(8). G.711: RIFF(12) fmt(8+18, cbSize = 0) fact(8+4) data(8).
  return encoding === "pcm16"
    ? { headerBytes: 44, dataSizeOffset: 40, factOffset: -1 }
    : { headerBytes: 58, dataSizeOffset: 54, factOffset: 46 };
}

/**
 * The header for `dataBytes` bytes of sample data. Passing `null` writes the 0xFFFFFFFF
 * "size unknown" placeholders streaming writers use until they know the length.
 */
export function wavHeader(format: WavFormat, dataBytes: number | null): Buffer {
  const channels = format.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1 || channels > 0xffff) {
    throw new RangeError(`bad channel count ${channels}`);
  }
  if (!Number.isInteger(format.sampleRate) || format.sampleRate < 1) {
    throw new RangeError(`bad sample rate ${format.sampleRate}`);
  }
  const layout = wavHeaderLayout(format.encoding);
  const sampleBytes = bytesPerSample(format.encoding);
  const blockAlign = channels * sampleBytes;
  if (dataBytes !== null) {
    if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes % blockAlign !== 0) {
      throw new RangeError(`data length ${dataBytes} is not a whole number of frames`);
    }
    if (layout.headerBytes - 8 + dataBytes + (dataBytes & 1) > MAX_RIFF_SIZE) {
      throw new RangeError("data too large for a RIFF file (4 GiB)");
    }
  }
  const h = Buffer.alloc(layout.headerBytes);
  const riffSize =
    dataBytes === null ? MAX_RIFF_SIZE : layout.headerBytes - 8 + dataBytes + (dataBytes & 1);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(riffSize, 4);
  h.write("WAVEfmt ", 8, "latin1");
  const pcm = format.encoding === "pcm16";
  h.writeUInt32LE(pcm ? 16 : 18, 16);
  h.writeUInt16LE(TAGS[format.encoding], 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(format.sampleRate, 24);
  h.writeUInt32LE(format.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(sampleBytes * 8, 34);
  if (!pcm) {
    h.writeUInt16LE(0, 36); // cbSize: no extra format bytes
    h.write("fact", 38, "latin1");
    h.writeUInt32LE(4, 42);
    h.writeUInt32LE(dataBytes === null ? 0 : dataBytes / blockAlign, layout.factOffset);
  }
  h.write("data", layout.dataSizeOffset - 4, "latin1");
  h.writeUInt32LE(dataBytes === null ? MAX_RIFF_SIZE : dataBytes, layout.dataSizeOffset);
  return h;
}

/** A complete WAVE file (header, data, pad byte) for sample data already in `format.encoding`. */
export function encodeWav(format: WavFormat, data: Uint8Array): Buffer {
  const header = wavHeader(format, data.length);
  const out = Buffer.alloc(header.length + data.length + (data.length & 1));
  header.copy(out, 0);
  out.set(data, header.length);
  return out;
}

/** A 16-bit PCM WAVE file of the given samples. */
export function pcm16ToWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  return encodeWav({ encoding: "pcm16", sampleRate, channels }, pcm16ToBytes(samples));
}

/** Little-endian bytes of 16-bit samples (a view, not a copy, on little-endian hosts). */
export function pcm16ToBytes(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST)
    return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.alloc(samples.byteLength);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/** Decodes the file's samples (interleaved when multi-channel) to new 16-bit linear PCM. */
export function wavToPcm16(wav: WavFile): Int16Array {
  const out = new Int16Array(wav.frames * wav.channels);
  if (wav.encoding === "ulaw") decodeUlaw(wav.data.subarray(0, out.length), out);
  else if (wav.encoding === "alaw") decodeAlaw(wav.data.subarray(0, out.length), out);
  else if (LITTLE_ENDIAN_HOST) {
    // Copying through bytes works whatever the alignment of the view into the input buffer.
    new Uint8Array(out.buffer).set(wav.data.subarray(0, out.byteLength));
  } else {
    const view = new DataView(wav.data.buffer, wav.data.byteOffset, wav.data.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  }
  return out;
}

export interface WavParseOptions {
  /**
   * Accept a data chunk (or RIFF size) running past the end of the input, keeping the whole
   * frames present: how a recording cut off before its sizes were patched is recovered.
   */
  allowTruncated?: boolean;
}

const fourcc = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Parses a WAVE file; throws WavError naming the problem for anything it cannot read. */
export function parseWav(input: Uint8Array, options: WavParseOptions = {}): WavFile {
  const lenient = options.allowTruncated === true;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 12) throw new WavError(`truncated: ${input.length} bytes is no RIFF header`);
  const magic = fourcc(input, 0);
  if (magic !== "RIFF") {
    throw new WavError(magic === "RIFX" ? "big-endian RIFX is not supported" : "not a RIFF file");
  }
  if (fourcc(input, 8) !== "WAVE")
    throw new WavError(`RIFF form is "${fourcc(input, 8)}", not WAVE`);
  let end = 8 + view.getUint32(4, true);
  if (end > input.length) {
    if (!lenient)
      throw new WavError(`truncated: RIFF size says ${end} bytes, file has ${input.length}`);
    end = input.length;
  }
  let fmt: { tag: number; channels: number; rate: number; align: number; bits: number } | null =
    null;
  let data: { offset: number; length: number } | null = null;
  let pos = 12;
  while (pos + 8 <= end) {
    const id = fourcc(input, pos);
    if (!/^[\x20-\x7e]{4}$/.test(id)) throw new WavError(`garbage chunk id at offset ${pos}`);
    let size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (size > end - body) {
      if (!(lenient && id === "data")) {
        throw new WavError(
          `chunk "${id}" at offset ${pos} claims ${size} bytes, ${end - body} remain`,
        );
      }
      size = end - body;
    }
    if (id === "fmt " && fmt === null) fmt = readFmt(view, body, size);
    else if (id === "data" && data === null) data = { offset: body, length: size };
    pos = body + size + (size & 1); // chunks are word-aligned: odd sizes carry a pad byte
  }
  if (fmt === null) throw new WavError("no fmt chunk");
  if (data === null)
    throw new WavError(pos < end ? `truncated chunk header at offset ${pos}` : "no data chunk");
  const encoding = encodingOf(fmt.tag, fmt.bits);
  if (fmt.channels < 1) throw new WavError("fmt chunk says 0 channels");
  if (fmt.rate < 1) throw new WavError("fmt chunk says sample rate 0");
  if (fmt.align !== fmt.channels * bytesPerSample(encoding)) {
    throw new WavError(
      `block align ${fmt.align} does not match ${fmt.channels} channel(s) of ${fmt.bits} bits`,
    );
  }
  const frames = Math.floor(data.length / fmt.align);
  return {
    encoding,
    sampleRate: fmt.rate,
    channels: fmt.channels,
    data: input.subarray(data.offset, data.offset + frames * fmt.align),
    frames,
    durationMs: (frames * 1000) / fmt.rate,
  };
}

function readFmt(view: DataView, at: number, size: number) {
  if (size < 16) throw new WavError(`fmt chunk of ${size} bytes is too short`);
  let tag = view.getUint16(at, true);
  // WAVE_FORMAT_EXTENSIBLE keeps the real tag in the first two bytes of its sub-format GUID.
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavError(`extensible fmt chunk of ${size} bytes is too short`);
    tag = view.getUint16(at + 24, true);
  }
  return {
    tag,
    channels: view.getUint16(at + 2, true),
    rate: view.getUint32(at + 4, true),
    align: view.getUint16(at + 12, true),
    bits: view.getUint16(at + 14, true),
  };
}

const READABLE: Record<number, readonly [WavEncoding, number] | undefined> = {
  [WAVE_FORMAT_PCM]: ["pcm16", 16],
  [WAVE_FORMAT_MULAW]: ["ulaw", 8],
  [WAVE_FORMAT_ALAW]: ["alaw", 8],
};

function encodingOf(tag: number, bits: number): WavEncoding {
  const known = READABLE[tag];
  if (known === undefined) {
    const hex = tag.toString(16).padStart(4, "0");
    throw new WavError(`unsupported format tag 0x${hex} (only PCM, µ-law, A-law are read)`);
  }
  if (bits !== known[1]) throw new WavError(`${bits}-bit ${known[0]} is not supported`);
  return known[0];
}

/** Reads and parses a WAVE file from disk. */
export async function readWavFile(path: string, options?: WavParseOptions): Promise<WavFile> {
  return parseWav(await readFile(path), options);
}
