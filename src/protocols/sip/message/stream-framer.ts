// Cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3), skipping the
// CRLFs sent between messages (§7.5) and counting RFC 5626 §4.4.1 double-CRLF keep-alive pings.
// After an error the stream cannot be resynchronised: the caller closes the connection.

import { DEFAULT_LIMITS, type ParseLimits } from "./types.ts";

export interface FrameBatch {
  /** Complete messages, each exactly start line to end of body; parse with requireContentLength. */
  messages: Buffer[];
  /** Double-CRLF pings seen; answer each with one CRLF pong. */
  keepalives: number;
  /** Set once the stream is unusable; stays set for every later push. */
  error?: string;
}

const EMPTY = Buffer.alloc(0);

export class SipStreamFramer {
  readonly #maxMessage: number;
  readonly #maxLine: number;
  #pending: Buffer = EMPTY;
  /** Start of the header line not yet seen whole, so each byte is scanned once. */
  #lineStart = 0;
  /** Total length of the message at the front of #pending, once its headers are in. */
  #need = -1;
  #lfRun = 0;
  #error: string | undefined;

  constructor(limits?: Partial<Pick<ParseLimits, "maxMessageBytes" | "maxHeaderLineBytes">>) {
    this.#maxMessage = limits?.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
    this.#maxLine = limits?.maxHeaderLineBytes ?? DEFAULT_LIMITS.maxHeaderLineBytes;
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#pending.length;
  }

  push(chunk: Uint8Array): FrameBatch {
    const batch: FrameBatch = { messages: [], keepalives: 0 };
    if (this.#error !== undefined) {
      batch.error = this.#error;
      return batch;
    }
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    for (;;) {
      if (this.#need < 0) {
        this.#skipLineEnds(batch);
        if (this.#pending.length === 0) break;
        const error = this.#findHead();
        if (error !== undefined) {
          this.#fail(error, batch);
          break;
        }
        if (this.#need < 0) break;
      }
      if (this.#pending.length < this.#need) break;
      batch.messages.push(this.#pending.subarray(0, this.#need));
      this.#pending = this.#pending.subarray(this.#need);
      this.#need = -1;
      this.#lineStart = 0;
    }
    return batch;
  }

  #fail(error: string, batch: FrameBatch): void {
    this.#error = error;
    this.#pending = EMPTY;
    batch.error = error;
  }

  #skipLineEnds(batch: FrameBatch): void {
    const p = this.#pending;
    let i = 0;
    while (i < p.length && (p[i] === 13 || p[i] === 10)) {
      if (p[i] === 10 && ++this.#lfRun === 2) {
        batch.keepalives++;
        this.#lfRun = 0;
      }
      i++;
    }
    if (i < p.length) this.#lfRun = 0;
    if (i > 0) this.#pending = p.subarray(i);
  }

  /** Looks for the empty line; once found sets #need from Content-Length. */
  #findHead(): string | undefined {
    const p = this.#pending;
    for (;;) {
      const nl = p.indexOf(10, this.#lineStart);
      if (nl < 0) {
        if (p.length - this.#lineStart > this.#maxLine) return "header line too long";
        if (p.length > this.#maxMessage) return "message too large";
        return undefined;
      }
      const end = nl > this.#lineStart && p[nl - 1] === 13 ? nl - 1 : nl;
      if (end - this.#lineStart > this.#maxLine) return "header line too long";
      if (end === this.#lineStart) {
        const headLength = nl + 1;
        const length = contentLength(p.toString("latin1", 0, this.#lineStart));
        if (typeof length === "string") return length;
        if (headLength + length > this.#maxMessage) return "message too large";
        this.#need = headLength + length;
        return undefined;
      }
      this.#lineStart = nl + 1;
      if (this.#lineStart > this.#maxMessage) return "message too large";
    }
  }
}

/** The Content-Length of a header section (folding allowed), or an error text. */
function contentLength(head: string): number | string {
  let found: string | undefined;
  let inLength = false;
  let count = 0;
  for (const raw of head.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (inLength) found += line;
      continue;
    }
    inLength = false;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trimEnd().toLowerCase();
    if (name === "content-length" || name === "l") {
      count++;
      inLength = true;
      found = line.slice(colon + 1);
    }
  }
  if (count === 0 || found === undefined) return "missing Content-Length";
  if (count > 1) return "more than one Content-Length";
  const digits = found.trim();
  if (!/^[0-9]{1,10}$/.test(digits)) return "malformed Content-Length";
  return Number(digits);
}
