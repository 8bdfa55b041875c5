// SRTP for one RTP session (RFC 3711): AES-CM encryption (§4.1.1), HMAC-SHA1 authentication over
// the packet and its rollover counter (§4.2), index estimation (§3.3.1, Appendix A) and a replay
// list (§3.3.2). Packets are protected and unprotected in place; only RTP is handled (no RTCP sent).
import { type Cipher, createCipheriv, createHmac } from "node:crypto";
import {
  deriveRtpKeys,
  SRTP_SUITES,
  type SrtpSessionKeys,
  type SrtpSuiteName,
} from "./srtp-keys.ts";

export interface SrtpOptions {
  suite: SrtpSuiteName;
  /** Our master key ‖ salt (30 octets): what we send with. */
  sendKey: Uint8Array;
  /** The peer's master key ‖ salt: what it sends with. */
  receiveKey: Uint8Array;
}

export interface SrtpStats {
  protected: number;
  unprotected: number;
  /** Packets whose tag did not verify (wrong key, tampering, or not SRTP at all): dropped. */
  authFailures: number;
  /** Packets already received or older than the replay window: dropped. */
  replays: number;
  /** Too short to hold a header and a tag: dropped. */
  malformed: number;
}

/** Why unprotect() refused a packet; any other result is the plaintext length. */
export const SRTP_AUTH_FAILED = -1;
export const SRTP_REPLAYED = -2;
export const SRTP_MALFORMED = -3;

const BLOCK = 16;
const RTP_FIXED_HEADER = 12;
/** Window of indices kept for replay checks (RFC 3711 §3.3.2 asks for at least 64). */
const REPLAY_WINDOW = 128;
/** Receive contexts kept per session: the peer may change SSRC; an attacker cannot (no key). */
const MAX_SOURCES = 4;

/** Offset of the payload after the fixed header, CSRCs and extension; -1 when truncated. */
function headerLength(buf: Uint8Array, length: number): number {
  if (length < RTP_FIXED_HEADER) return -1;
  const b0 = buf[0]!;
  let offset = RTP_FIXED_HEADER + 4 * (b0 & 0x0f);
  if (b0 & 0x10) {
    if (offset + 4 > length) return -1;
    offset += 4 + 4 * ((buf[offset + 2]! << 8) | buf[offset + 3]!);
  }
  return offset > length ? -1 : offset;
}

/**
 * AES in counter mode (RFC 3711 §4.1.1): one ECB cipher per key is kept for the session and
 * encrypts the counter blocks of each packet in one call, so no cipher is created per packet.
 */
class CounterMode {
  readonly #ecb: Cipher;
  readonly #salt: Buffer;
  #blocks = Buffer.alloc(0);

  constructor(keys: SrtpSessionKeys) {
    this.#ecb = createCipheriv("aes-128-ecb", keys.cipherKey, null);
    this.#ecb.setAutoPadding(false);
    this.#salt = keys.salt;
  }

  /** XORs buf[start, end) with the keystream of packet index roc·2^16 + seq from source ssrc. */
  apply(buf: Uint8Array, start: number, end: number, ssrc: number, roc: number, seq: number): void {
    const n = end - start;
    if (n <= 0) return;
    const count = Math.ceil(n / BLOCK);
    if (this.#blocks.length < count * BLOCK) this.#blocks = Buffer.alloc(count * BLOCK);
    const blocks = this.#blocks;
    // IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16); the block counter fills the low 16 bits.
    const salt = this.#salt;
    for (let i = 0; i < 14; i++) blocks[i] = salt[i]!;
    blocks[14] = 0;
    blocks[15] = 0;
    blocks[4]! ^= ssrc >>> 24;
    blocks[5]! ^= (ssrc >>> 16) & 0xff;
    blocks[6]! ^= (ssrc >>> 8) & 0xff;
    blocks[7]! ^= ssrc & 0xff;
    blocks[8]! ^= roc >>> 24;
    blocks[9]! ^= (roc >>> 16) & 0xff;
    blocks[10]! ^= (roc >>> 8) & 0xff;
    blocks[11]! ^= roc & 0xff;
    blocks[12]! ^= seq >>> 8;
    blocks[13]! ^= seq & 0xff;
    for (let j = 1; j < count; j++) {
      const o = j * BLOCK;
      blocks.copy(blocks, o, 0, 14);
      blocks[o + 14] = j >>> 8;
      blocks[o + 15] = j & 0xff;
    }
    const stream = this.#ecb.update(blocks.subarray(0, count * BLOCK));
    for (let i = 0; i < n; i++) buf[start + i]! ^= stream[i]!;
  }
}

/** The keystream of AES-CM for a packet, for the RFC 3711 Appendix B.2 test vectors. */
export function aesCmKeystream(
  keys: SrtpSessionKeys,
  ssrc: number,
  roc: number,
  seq: number,
  length: number,
): Buffer {
  const out = Buffer.alloc(length);
  new CounterMode(keys).apply(out, 0, length, ssrc, roc, seq);
  return out;
}

/** What the receiver remembers of one source (RFC 3711 §3.2.1): ROC, s_l and recent indices. */
interface ReceiveContext {
  ssrc: number;
  roc: number;
  /** s_l: the highest sequence number authenticated so far. */
  highest: number;
  maxIndex: number;
  /** Slot index mod REPLAY_WINDOW holds the last index seen there, or -1. */
  seen: Float64Array;
}

export class SrtpSession {
  readonly stats: SrtpStats = {
    protected: 0,
    unprotected: 0,
    authFailures: 0,
    replays: 0,
    malformed: 0,
  };
  readonly suite: SrtpSuiteName;
  readonly #tagBytes: number;
  readonly #sendAuth: Buffer;
  readonly #recvAuth: Buffer;
  readonly #sendCipher: CounterMode;
  readonly #recvCipher: CounterMode;
  readonly #roc = Buffer.alloc(4);
  readonly #sources: ReceiveContext[] = [];
  #sendRoc = 0;
  #sendLastSeq = -1;

  constructor(options: SrtpOptions) {
    this.suite = options.suite;
    this.#tagBytes = SRTP_SUITES[options.suite].rtpTagBytes;
    const send = deriveRtpKeys(options.sendKey);
    const recv = deriveRtpKeys(options.receiveKey);
    this.#sendAuth = send.authKey;
    this.#recvAuth = recv.authKey;
    this.#sendCipher = new CounterMode(send);
    this.#recvCipher = new CounterMode(recv);
  }

  /** Octets protect() appends. */
  get trailerBytes(): number {
    return this.#tagBytes;
  }

  /**
   * Encrypts the RTP packet buf[0, length) in place and appends its tag; returns the new length.
   * `buf` must have trailerBytes of room after the packet. The ROC counts our sequence wraps.
   */
  protect(buf: Buffer, length: number): number {
    const start = headerLength(buf, length);
    if (start < 0) throw new RangeError("not an RTP packet: the header is truncated");
    if (buf.length < length + this.#tagBytes) {
      throw new RangeError("no room for the SRTP authentication tag");
    }
    const seq = (buf[2]! << 8) | buf[3]!;
    const ssrc = buf.readUInt32BE(8);
    if (this.#sendLastSeq >= 0 && seq < this.#sendLastSeq && this.#sendLastSeq - seq > 0x8000) {
      this.#sendRoc = (this.#sendRoc + 1) >>> 0;
    }
    this.#sendLastSeq = seq;
    this.#sendCipher.apply(buf, start, length, ssrc, this.#sendRoc, seq);
    this.#tag(this.#sendAuth, buf, length, this.#sendRoc).copy(buf, length, 0, this.#tagBytes);
    this.stats.protected++;
    return length + this.#tagBytes;
  }

  /**
   * Checks and decrypts the SRTP packet buf[0, length) in place. Returns the RTP packet's length
   * (the tag removed), or SRTP_AUTH_FAILED / SRTP_REPLAYED / SRTP_MALFORMED; nothing is changed
   * in the buffer or the session state unless the packet is authentic.
   */
  unprotect(buf: Buffer, length = buf.length): number {
    const stats = this.stats;
    const tagBytes = this.#tagBytes;
    const end = length - tagBytes;
    const start = headerLength(buf, end);
    if (start < 0 || buf[0]! >> 6 !== 2) {
      stats.malformed++;
      return SRTP_MALFORMED;
    }
    const seq = (buf[2]! << 8) | buf[3]!;
    const ssrc = buf.readUInt32BE(8);
    const ctx = this.#source(ssrc);
    // RFC 3711 Appendix A: the ROC the sender most likely used for this sequence number.
    let v = 0;
    if (ctx !== undefined) {
      v = ctx.roc;
      if (ctx.highest < 0x8000) {
        if (seq - ctx.highest > 0x8000) v = ctx.roc - 1;
      } else if (ctx.highest - 0x8000 > seq) {
        v = ctx.roc + 1;
      }
      const index = v * 0x10000 + seq;
      if (v < 0 || index <= ctx.maxIndex - REPLAY_WINDOW) {
        stats.replays++;
        return SRTP_REPLAYED;
      }
      if (ctx.seen[index % REPLAY_WINDOW] === index) {
        stats.replays++;
        return SRTP_REPLAYED;
      }
    }
    const roc = v >>> 0;
    const tag = this.#tag(this.#recvAuth, buf, end, roc);
    let diff = 0;
    for (let i = 0; i < tagBytes; i++) diff |= tag[i]! ^ buf[end + i]!;
    if (diff !== 0) {
      stats.authFailures++;
      return SRTP_AUTH_FAILED;
    }
    this.#recvCipher.apply(buf, start, end, ssrc, roc, seq);
    this.#accept(ctx, ssrc, v, seq);
    stats.unprotected++;
    return end;
  }

  /** Authentication tag input: the authenticated portion, then the ROC (RFC 3711 §4.2). */
  #tag(key: Buffer, buf: Buffer, end: number, roc: number): Buffer {
    const rocBytes = this.#roc;
    rocBytes.writeUInt32BE(roc, 0);
    return createHmac("sha1", key).update(buf.subarray(0, end)).update(rocBytes).digest();
  }

  #source(ssrc: number): ReceiveContext | undefined {
    const sources = this.#sources;
    for (let i = 0; i < sources.length; i++) if (sources[i]!.ssrc === ssrc) return sources[i];
    return undefined;
  }

  #accept(ctx: ReceiveContext | undefined, ssrc: number, v: number, seq: number): void {
    const index = v * 0x10000 + seq;
    if (ctx === undefined) {
      // A new source: s_l is its first sequence number and its ROC 0 (RFC 3711 §3.3.1).
      const seen = new Float64Array(REPLAY_WINDOW).fill(-1);
      seen[index % REPLAY_WINDOW] = index;
      if (this.#sources.length >= MAX_SOURCES) this.#sources.shift();
      this.#sources.push({ ssrc, roc: 0, highest: seq, maxIndex: index, seen });
      return;
    }
    ctx.seen[index % REPLAY_WINDOW] = index;
    if (index > ctx.maxIndex) ctx.maxIndex = index;
    if (v === ctx.roc + 1) {
      ctx.roc = v;
      ctx.highest = seq;
    } else if (v === ctx.roc && seq > ctx.highest) {
      ctx.highest = seq;
    }
  }
}
