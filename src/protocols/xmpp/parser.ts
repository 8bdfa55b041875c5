// Incremental parser for an XMPP stream (RFC 6120 §4, §11): the stream header, then one element
// tree per stanza. Strict on purpose: comments, processing instructions, DTDs and undeclared
// entities are `restricted-xml`, broken syntax is `not-well-formed`, and a stanza larger than
// `maxStanzaBytes` is a `policy-violation` — each thrown as XmlStreamError before it is buffered.
// With `onOversized`, a stanza over the size or depth limit is skipped to its end instead.

import {
  CDATA_OPEN,
  decodeEntities,
  FORBIDDEN,
  fail,
  parseStartTag,
  XmlStreamError,
} from "./markup.ts";
import type { XmlElement } from "./xml.ts";

export { decodeEntities, type ParseErrorCondition, XmlStreamError } from "./markup.ts";

export interface StreamParserHandlers {
  /** The stream header, as an element without children. */
  streamStart(root: XmlElement): void;
  stanza(stanza: XmlElement): void;
  /** The peer closed the stream with `</stream:stream>`. */
  streamEnd(): void;
}

export interface StreamParserOptions {
  /** Largest stanza (UTF-8 bytes, markup included); default 256 KiB. */
  maxStanzaBytes?: number;
  /** Deepest nesting inside a stanza; default 64. */
  maxDepth?: number;
  /**
   * When given, a stanza over maxStanzaBytes or maxDepth is dropped without being buffered and
   * this is called at its end with its top element (name and attributes, no children), so that
   * one oversized stanza does not end a stream the server keeps. A single tag larger than the
   * limit still fails the stream: it cannot be skipped without being buffered.
   */
  onOversized?: (top: XmlElement, reason: string) => void;
}

export const DEFAULT_MAX_STANZA_BYTES = 256 * 1024;

export class StreamParser {
  readonly #handlers: StreamParserHandlers;
  readonly #maxBytes: number;
  readonly #maxDepth: number;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });
  #buf = "";
  #root: XmlElement | undefined;
  #stack: XmlElement[] = [];
  #stanzaBytes = 0;
  #ended = false;
  #failed: XmlStreamError | undefined;
  readonly #onOversized: StreamParserOptions["onOversized"];
  /** While skipping an oversized stanza: its top element, how deep we are, and why. */
  #skip: { top: XmlElement; depth: number; reason: string } | undefined;

  constructor(handlers: StreamParserHandlers, options: StreamParserOptions = {}) {
    this.#handlers = handlers;
    this.#maxBytes = options.maxStanzaBytes ?? DEFAULT_MAX_STANZA_BYTES;
    this.#maxDepth = options.maxDepth ?? 64;
    this.#onOversized = options.onOversized;
  }

  /** Feeds bytes; throws XmlStreamError, after which the parser refuses all further input. */
  write(chunk: Uint8Array | string): void {
    if (this.#failed) throw this.#failed;
    try {
      this.#buf +=
        typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
      this.#drain();
    } catch (err) {
      this.#failed =
        err instanceof XmlStreamError
          ? err
          : new XmlStreamError("not-well-formed", (err as Error).message);
      this.#buf = "";
      throw this.#failed;
    }
  }

  /** Takes n characters off the buffer; they count towards the stanza size unless `free`. */
  #consume(n: number, free = false): string {
    const token = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    if (!free && !this.#skip) {
      this.#stanzaBytes += Buffer.byteLength(token);
      this.#checkSize(0);
    }
    return token;
  }

  /**
   * `pending`: bytes of a token not complete yet. A pending tag must fit by itself (it cannot be
   * skipped unread); pending text can, so `text` lets a long text run start the skip at once.
   */
  #checkSize(pending: number, text = false): void {
    if (this.#skip) {
      if (pending > this.#maxBytes) fail("policy-violation", "a single tag over the limit");
      return;
    }
    if (this.#stanzaBytes + pending <= this.#maxBytes) return;
    if (this.#onOversized && this.#stack.length > 0 && (text || pending <= this.#maxBytes))
      this.#beginSkip(`stanza larger than ${this.#maxBytes} bytes`);
    else fail("policy-violation", `stanza larger than ${this.#maxBytes} bytes`);
  }

  /** Drops the stanza under construction; its remaining tokens are only counted. */
  #beginSkip(reason: string): void {
    const root = this.#stack[0] as XmlElement;
    this.#skip = {
      top: { name: root.name, attrs: root.attrs, children: [] },
      depth: this.#stack.length,
      reason,
    };
    this.#stack = [];
    this.#stanzaBytes = 0;
  }

  /** One token while skipping: +1 for an open tag, -1 for a close tag; 0 ends the stanza. */
  #skipToken(delta: number): void {
    const skip = this.#skip;
    if (!skip) return;
    skip.depth += delta;
    if (skip.depth > 0) return;
    this.#skip = undefined;
    this.#onOversized?.(skip.top, skip.reason);
  }

  #drain(): void {
    while (this.#buf.length > 0 && !this.#ended) {
      if (this.#buf[0] !== "<") {
        const between = this.#stack.length === 0 && !this.#skip;
        const lt = this.#buf.indexOf("<");
        if (lt < 0 && !between && !this.#skip) {
          this.#checkSize(this.#buf.length, true);
          // text of a stanza now being skipped is dropped at once rather than kept for its end
          if (!this.#skip) return;
        }
        // whitespace between stanzas (keepalives) is not part of any stanza's size
        const raw = this.#consume(lt < 0 ? this.#buf.length : lt, between);
        if (!this.#skip) this.#text(raw);
      } else if (!this.#markup()) {
        this.#checkSize(this.#buf.length);
        return;
      }
    }
  }

  #text(raw: string): void {
    const top = this.#stack[this.#stack.length - 1];
    if (!top) {
      if (raw.trim() !== "") fail("not-well-formed", "text outside of a stanza");
      return;
    }
    const value = decodeEntities(raw);
    const last = top.children[top.children.length - 1];
    if (typeof last === "string") top.children[top.children.length - 1] = last + value;
    else top.children.push(value);
  }

  /** Handles one markup token at the start of the buffer; false when it is not complete yet. */
  #markup(): boolean {
    const buf = this.#buf;
    if (buf.startsWith("<?")) {
      const end = buf.indexOf("?>");
      if (end < 0) return false;
      if (this.#root || !/^<\?xml\s/.test(buf)) fail("restricted-xml", "processing instruction");
      this.#consume(end + 2);
      return true;
    }
    if (buf.startsWith("<!") || (buf.length < CDATA_OPEN.length && CDATA_OPEN.startsWith(buf))) {
      if (buf.length < CDATA_OPEN.length && CDATA_OPEN.startsWith(buf)) return false;
      if (!buf.startsWith(CDATA_OPEN)) fail("restricted-xml", "comment or DTD");
      const end = buf.indexOf("]]>");
      if (end < 0) return false;
      const data = this.#consume(end + 3).slice(CDATA_OPEN.length, -3);
      if (this.#skip) return true;
      const top = this.#stack[this.#stack.length - 1];
      if (!top) fail("not-well-formed", "CDATA outside of a stanza");
      if (FORBIDDEN.test(data)) fail("not-well-formed", "forbidden control character");
      top.children.push(data);
      return true;
    }
    const end = this.#tagEnd(buf);
    if (end < 0) return false;
    const tag = this.#consume(end + 1).slice(1, -1);
    if (this.#skip) this.#skipToken(tag.startsWith("/") ? -1 : tag.endsWith("/") ? 0 : 1);
    else if (tag.startsWith("/")) this.#endTag(tag.slice(1).trimEnd());
    else if (tag.endsWith("/")) this.#startTag(tag.slice(0, -1), true);
    else this.#startTag(tag, false);
    return true;
  }

  #tagEnd(buf: string): number {
    let quote = "";
    for (let i = 1; i < buf.length; i++) {
      const c = buf[i];
      if (quote) {
        if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ">") return i;
      else if (c === "<") fail("not-well-formed", "'<' inside a tag");
    }
    return -1;
  }

  #startTag(body: string, selfClosing: boolean): void {
    const el = parseStartTag(body);
    if (!this.#root) {
      this.#root = el;
      this.#stanzaBytes = 0;
      this.#handlers.streamStart(el);
      if (selfClosing) this.#end();
      return;
    }
    const parent = this.#stack[this.#stack.length - 1];
    if (parent) parent.children.push(el);
    if (!selfClosing) {
      if (this.#stack.length >= this.#maxDepth) {
        if (!this.#onOversized) fail("policy-violation", "elements nested too deep");
        this.#beginSkip("elements nested too deep");
        this.#skipToken(1);
        return;
      }
      this.#stack.push(el);
    } else if (!parent) this.#emit(el);
  }

  #endTag(name: string): void {
    const top = this.#stack.pop();
    if (!top) {
      if (name !== this.#root?.name) fail("not-well-formed", `unexpected </${name.slice(0, 40)}>`);
      this.#end();
      return;
    }
    if (name !== top.name)
      fail("not-well-formed", `<${top.name}> closed by </${name.slice(0, 40)}>`);
    if (this.#stack.length === 0) this.#emit(top);
  }

  #emit(stanza: XmlElement): void {
    this.#stanzaBytes = 0;
    this.#handlers.stanza(stanza);
  }

  #end(): void {
    this.#ended = true;
    this.#buf = "";
    this.#handlers.streamEnd();
  }
}
