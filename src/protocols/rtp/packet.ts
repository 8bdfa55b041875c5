// RTP fixed header, CSRC list, header extension and padding (RFC 3550 §5.1, §5.3.1), parsed from
// and written to Buffers without copying payloads; garbage yields an error value, never a throw.

export const RTP_VERSION = 2;
export const RTP_HEADER_BYTES = 12;

export interface RtpHeaderExtension {
  /** The 16-bit profile-defined field (0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension body: a view into the packet. */
  data: Buffer;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Contributing sources; a shared empty array when there are none. */
  csrc: readonly number[];
  extension: RtpHeaderExtension | null;
  /** Padding bytes removed from the end of the payload (0 without the P bit). */
  paddingBytes: number;
  /** The payload: a view into the received buffer, valid as long as that buffer is. */
  payload: Buffer;
}

export type RtpParseErrorReason =
  | "too-short"
  | "bad-version"
  | "truncated-csrc"
  | "truncated-extension"
  | "bad-padding";

/** Why a datagram is not an RTP packet. Shared constants, so a flood of garbage allocates nothing. */
export interface RtpParseError {
  readonly error: RtpParseErrorReason;
  readonly message: string;
}

const errors: { readonly [R in RtpParseErrorReason]: RtpParseError } = {
  "too-short": { error: "too-short", message: "shorter than the 12-byte RTP header" },
  "bad-version": { error: "bad-version", message: "RTP version is not 2" },
  "truncated-csrc": { error: "truncated-csrc", message: "CSRC list runs past the end" },
  "truncated-extension": {
    error: "truncated-extension",
    message: "header extension runs past the end",
  },
  "bad-padding": { error: "bad-padding", message: "padding count is 0 or exceeds the payload" },
};
for (const e of Object.values(errors)) Object.freeze(e);

const NO_CSRC: readonly number[] = Object.freeze([]);

export function isRtpParseError(result: RtpPacket | RtpParseError): result is RtpParseError {
  return "error" in result;
}

/**
 * True when the second byte says RTCP (packet types 192–223) on a port that carries both,
 * per RFC 5761 §4; such a datagram must go to the RTCP handler, not to parseRtp.
 */
export function looksLikeRtcp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[1]! >= 192 && buf[1]! <= 223;
}

export function parseRtp(buf: Buffer): RtpPacket | RtpParseError {
  if (buf.length < RTP_HEADER_BYTES) return errors["too-short"];
  const b0 = buf[0]!;
  if (b0 >> 6 !== RTP_VERSION) return errors["bad-version"];
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrcCount;
  if (offset > buf.length) return errors["truncated-csrc"];
  let csrc = NO_CSRC;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(buf.readUInt32BE(RTP_HEADER_BYTES + 4 * i));
    csrc = list;
  }
  let extension: RtpHeaderExtension | null = null;
  if (b0 & 0x10) {
    if (offset + 4 > buf.length) return errors["truncated-extension"];
    const words = buf.readUInt16BE(offset + 2);
    const end = offset + 4 + 4 * words;
    if (end > buf.length) return errors["truncated-extension"];
    extension = { profile: buf.readUInt16BE(offset), data: buf.subarray(offset + 4, end) };
    offset = end;
  }
  let paddingBytes = 0;
  if (b0 & 0x20) {
    // The last octet counts the padding, itself included, so 0 is impossible (RFC 3550 §5.1).
    paddingBytes = buf[buf.length - 1]!;
    if (paddingBytes === 0 || offset + paddingBytes > buf.length) return errors["bad-padding"];
  }
  const b1 = buf[1]!;
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrc,
    extension,
    paddingBytes,
    payload: buf.subarray(offset, buf.length - paddingBytes),
  };
}

export interface RtpPacketInit {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrc?: readonly number[];
  extension?: { profile: number; data: Uint8Array } | null;
  /** Bytes of padding to append (1–255), e.g. to reach an encryption block size. */
  paddingBytes?: number;
  payload: Uint8Array;
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`RTP ${name} ${value} is outside 0..${max}`);
  }
}

/** Bytes `writeRtp` needs for this packet. */
export function rtpPacketLength(p: RtpPacketInit): number {
  const ext = p.extension ? 4 + p.extension.data.length : 0;
  return (
    RTP_HEADER_BYTES + 4 * (p.csrc?.length ?? 0) + ext + p.payload.length + (p.paddingBytes ?? 0)
  );
}

/**
 * Writes the packet into `dst` at `offset` (so a sender can reuse one buffer per stream) and
 * returns the bytes written. Throws RangeError on out-of-range fields: that is a caller's bug.
 */
export function writeRtp(p: RtpPacketInit, dst: Buffer, offset = 0): number {
  checkField("payload type", p.payloadType, 0x7f);
  checkField("sequence", p.sequence, 0xffff);
  checkField("timestamp", p.timestamp, 0xffffffff);
  checkField("SSRC", p.ssrc, 0xffffffff);
  const csrc = p.csrc ?? NO_CSRC;
  if (csrc.length > 15) throw new RangeError(`${csrc.length} CSRCs; at most 15 fit`);
  for (const source of csrc) checkField("CSRC", source, 0xffffffff);
  const padding = p.paddingBytes ?? 0;
  checkField("padding", padding, 0xff);
  const ext = p.extension ?? null;
  if (ext !== null) {
    checkField("extension profile", ext.profile, 0xffff);
    if (ext.data.length % 4 !== 0 || ext.data.length > 4 * 0xffff) {
      throw new RangeError(`extension of ${ext.data.length} bytes is not a whole number of words`);
    }
  }
  const length = rtpPacketLength(p);
  if (offset + length > dst.length) throw new RangeError(`packet needs ${length} bytes`);
  dst[offset] = (RTP_VERSION << 6) | (padding ? 0x20 : 0) | (ext ? 0x10 : 0) | csrc.length;
  dst[offset + 1] = (p.marker ? 0x80 : 0) | p.payloadType;
  dst.writeUInt16BE(p.sequence, offset + 2);
  dst.writeUInt32BE(p.timestamp, offset + 4);
  dst.writeUInt32BE(p.ssrc, offset + 8);
  let at = offset + RTP_HEADER_BYTES;
  for (const source of csrc) {
    dst.writeUInt32BE(source, at);
    at += 4;
  }
  if (ext !== null) {
    dst.writeUInt16BE(ext.profile, at);
    dst.writeUInt16BE(ext.data.length / 4, at + 2);
    dst.set(ext.data, at + 4);
    at += 4 + ext.data.length;
  }
  dst.set(p.payload, at);
  at += p.payload.length;
  if (padding > 0) {
    dst.fill(0, at, at + padding - 1);
    dst[at + padding - 1] = padding;
    at += padding;
  }
  return at - offset;
}

/** A new Buffer holding the packet. */
export function serializeRtp(p: RtpPacketInit): Buffer {
  const buf = Buffer.allocUnsafe(rtpPacketLength(p));
  writeRtp(p, buf, 0);
  return buf;
}
