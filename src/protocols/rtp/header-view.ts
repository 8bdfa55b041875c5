// Allocation-free RTP header reader for the receive hot path (RFC 3550 §5.1): the checks parseRtp
// makes, but the fields land in one reused object and the payload is a byte range, not a view.
import { RTP_HEADER_BYTES, RTP_VERSION, type RtpParseErrorReason } from "./packet.ts";

export class RtpHeaderView {
  marker = false;
  payloadType = 0;
  sequence = 0;
  timestamp = 0;
  ssrc = 0;
  /** Payload bytes are buf[payloadOffset, payloadEnd): CSRCs, extension and padding skipped. */
  payloadOffset = 0;
  payloadEnd = 0;
  /** Why the last read() failed, or null after a success. */
  error: RtpParseErrorReason | null = null;

  /**
   * Reads the header of buf[0, length) into this object; false (and `error` set) when it is not
   * RTP. `length` lets a caller drop a trailer (the SRTP tag) without making a view.
   */
  read(buf: Uint8Array, length = buf.length): boolean {
    if (length < RTP_HEADER_BYTES) return this.#fail("too-short");
    const b0 = buf[0]!;
    if (b0 >> 6 !== RTP_VERSION) return this.#fail("bad-version");
    let offset = RTP_HEADER_BYTES + 4 * (b0 & 0x0f);
    if (offset > length) return this.#fail("truncated-csrc");
    if (b0 & 0x10) {
      if (offset + 4 > length) return this.#fail("truncated-extension");
      offset += 4 + 4 * ((buf[offset + 2]! << 8) | buf[offset + 3]!);
      if (offset > length) return this.#fail("truncated-extension");
    }
    let end = length;
    if (b0 & 0x20) {
      // The last octet counts the padding including itself, so 0 cannot occur.
      const padding = buf[length - 1]!;
      if (padding === 0 || offset + padding > length) return this.#fail("bad-padding");
      end -= padding;
    }
    const b1 = buf[1]!;
    this.marker = (b1 & 0x80) !== 0;
    this.payloadType = b1 & 0x7f;
    this.sequence = (buf[2]! << 8) | buf[3]!;
    this.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
    this.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
    this.payloadOffset = offset;
    this.payloadEnd = end;
    this.error = null;
    return true;
  }

  #fail(reason: RtpParseErrorReason): false {
    this.error = reason;
    return false;
  }
}
