// Parses one SIP message from a datagram or a frame cut by the stream framer (RFC 3261 §7,
// §18.3). Never throws: every failure is a ParseFailure saying whether a 400 can be sent back.
//
// Line endings: CRLF per RFC 3261; a bare LF is tolerated as a line end in the start line and
// header section (robustness), a bare CR is an error. The body is never touched. Leading CRLFs
// (keep-alives, §7.5) are skipped. A datagram that ends after its last header line without the
// empty line is accepted as having no body. Header values are decoded as UTF-8.

import { headerKey, isListHeader } from "./header-names.ts";
import { parseContentLength, parseVia } from "./header-values.ts";
import { SipHeaders } from "./headers.ts";
import { parseStartLine } from "./start-line.ts";
import { isToken, splitList, trimWs } from "./syntax.ts";
import {
  DEFAULT_LIMITS,
  type ParseFailure,
  type ParseLimits,
  type ParseResult,
  type PartialRequest,
  type SipMessage,
} from "./types.ts";
import { validateMandatory } from "./validate.ts";

const PARTIAL_KEYS = new Set(["via", "from", "to", "call-id", "cseq"]);

function salvage(headers: SipHeaders, method: string | undefined): PartialRequest {
  const kept = new SipHeaders();
  for (const e of headers) if (PARTIAL_KEYS.has(e.key)) kept.addKeyed(e.key, e.name, e.value);
  const partial: PartialRequest = { headers: kept };
  if (method !== undefined) partial.method = method;
  return partial;
}

function failure(
  error: string,
  status: number,
  headers?: SipHeaders,
  isRequest = false,
  method?: string,
): ParseFailure {
  if (!headers || !isRequest) return { ok: false, error, status, canRespond: false };
  const partial = salvage(headers, method);
  const topVia = partial.headers.get("via");
  // Never answer an ACK (§17.1.1.3), and without a usable Via there is nowhere to send to.
  const canRespond = method !== "ACK" && topVia !== undefined && parseVia(topVia) !== null;
  return { ok: false, error, status, canRespond, partial };
}

function toBuffer(input: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
}

export function parseMessage(
  input: Buffer | Uint8Array,
  limits?: Partial<ParseLimits>,
): ParseResult {
  try {
    const lim = limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS;
    return parse(toBuffer(input), lim);
  } catch (err) {
    // A bug, not bad input: surface it distinctly so tests (the fuzzer) can catch it.
    return failure(`internal parser error: ${String(err)}`, 500);
  }
}

function parse(buf: Buffer, lim: Readonly<ParseLimits>): ParseResult {
  if (buf.length > lim.maxMessageBytes) return failure("message too large", 513);
  let pos = 0;
  while (pos < buf.length && (buf[pos] === 13 || buf[pos] === 10)) pos++;
  if (pos === buf.length) return failure("empty message", 400);

  // Delimit the header section on bytes first, so the limits hold before anything is decoded.
  let lineStart = pos;
  let headEnd = -1;
  let bodyStart = -1;
  while (headEnd < 0) {
    const nl = buf.indexOf(10, lineStart);
    if (nl < 0) {
      // A datagram may end right after the last header line (RFC 4475 §3.1.2.15 does); a stream
      // frame always has its empty line, since the framer cut it there.
      if (lim.requireContentLength) return failure("header section not terminated", 400);
      if (buf.length - lineStart > lim.maxHeaderLineBytes)
        return failure("header line too long", 400);
      headEnd = buf.length;
      bodyStart = buf.length;
      break;
    }
    const end = nl > lineStart && buf[nl - 1] === 13 ? nl - 1 : nl;
    if (end - lineStart > lim.maxHeaderLineBytes) return failure("header line too long", 400);
    if (end === lineStart) {
      headEnd = lineStart;
      bodyStart = nl + 1;
    }
    lineStart = nl + 1;
  }

  const text = buf.toString("utf8", pos, headEnd);
  let firstNl = text.indexOf("\n");
  if (firstNl < 0) firstNl = text.length;
  const startLine = stripCr(text.slice(0, firstNl));
  const headers = new SipHeaders();
  const headerError = collectHeaders(text, firstNl + 1, headers, lim.maxHeaders);

  const start = startLine === null ? null : parseStartLine(startLine);
  if (start === null) return failure("bare CR in start line", 400);
  if (start.kind === "error") {
    return failure(start.error, start.status, headers, start.isRequest, start.method);
  }
  const isRequest = start.kind === "request";
  const method = isRequest ? start.method : undefined;
  if (headerError !== null) return failure(headerError, 400, headers, isRequest, method);
  const invalid = validateMandatory(headers, start);
  if (invalid !== null) return failure(invalid, 400, headers, isRequest, method);

  const lengths = headers.getAll("content-length");
  let bodyEnd = buf.length;
  if (lengths.length > 1) {
    return failure("more than one Content-Length", 400, headers, isRequest, method);
  }
  if (lengths.length === 0) {
    if (lim.requireContentLength) {
      return failure("missing Content-Length", 400, headers, isRequest, method);
    }
  } else {
    const n = parseContentLength(lengths[0]!);
    if (n === null) return failure("malformed Content-Length", 400, headers, isRequest, method);
    // §18.3: a datagram shorter than Content-Length is an error; extra bytes are discarded.
    if (n > buf.length - bodyStart) {
      return failure("Content-Length larger than the message", 400, headers, isRequest, method);
    }
    bodyEnd = bodyStart + n;
  }
  const body = buf.subarray(bodyStart, bodyEnd);
  const message: SipMessage =
    start.kind === "request"
      ? {
          kind: "request",
          method: start.method,
          uri: start.uri,
          version: start.version,
          headers,
          body,
        }
      : {
          kind: "response",
          status: start.status,
          reason: start.reason,
          version: start.version,
          headers,
          body,
        };
  return { ok: true, message };
}

/** The line without its CR before LF; null when a CR appears anywhere else. */
function stripCr(line: string): string | null {
  const cr = line.indexOf("\r");
  if (cr < 0) return line;
  return cr === line.length - 1 ? line.slice(0, cr) : null;
}

/**
 * Reads header fields from `text` at `from` into `headers`, unfolding continuation lines
 * (§7.3.1: CRLF followed by whitespace is one SP) and splitting list headers at commas.
 * Keeps going after a bad line so a 400 can still copy Via/From/To/Call-ID/CSeq; returns the
 * first error or null.
 */
function collectHeaders(
  text: string,
  from: number,
  headers: SipHeaders,
  maxHeaders: number,
): string | null {
  let error: string | null = null;
  let name: string | null = null;
  let value = "";
  const flush = (): void => {
    if (name === null) return;
    const key = headerKey(name);
    const v = trimWs(value);
    if (isListHeader(key)) for (const part of splitList(v)) headers.addKeyed(key, name, part);
    else headers.addKeyed(key, name, v);
    name = null;
  };
  let i = from;
  while (i < text.length) {
    let nl = text.indexOf("\n", i);
    if (nl < 0) nl = text.length;
    const line = stripCr(text.slice(i, nl));
    i = nl + 1;
    if (line === null) {
      error ??= "bare CR in header section";
      continue;
    }
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9) {
      if (name === null) error ??= "continuation line without a header";
      else value += ` ${trimWs(line)}`;
      continue;
    }
    flush();
    if (headers.size >= maxHeaders) return error ?? "too many headers";
    const colon = line.indexOf(":");
    const fieldName = colon < 0 ? "" : trimWs(line.slice(0, colon));
    if (!isToken(fieldName)) {
      error ??= "malformed header line";
      continue;
    }
    name = fieldName;
    value = line.slice(colon + 1);
  }
  flush();
  if (headers.size > maxHeaders) return error ?? "too many headers";
  return error;
}
