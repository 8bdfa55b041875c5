// Structured views of single header values (RFC 3261 §20, grammar §25.1): Via, name-addr
// (From/To/Contact/Route…), CSeq, Call-ID, Max-Forwards and Content-Length. Each returns null
// rather than throwing, so callers on the network path can answer 400 instead of crashing.

import {
  isAll,
  scan,
  scanParams,
  scanQuoted,
  skipWs,
  TOKEN,
  trimWs,
  unquote,
  WORD,
} from "./syntax.ts";
import type { SipParams } from "./types.ts";
import { isAbsoluteUri, parseUri, scanHostPort, uriScheme } from "./uri.ts";

export interface Via {
  /** e.g. "SIP/2.0", whitespace around the slashes removed. */
  protocol: string;
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS… */
  transport: string;
  host: string;
  port?: number;
  params: SipParams;
  branch?: string;
}

export interface NameAddr {
  displayName?: string;
  /** The URI as written (inside the angle brackets when there were any). */
  uri: string;
  /** Header parameters (after the URI), e.g. tag, q, expires. */
  params: SipParams;
  tag?: string;
}

export interface CSeq {
  seq: number;
  method: string;
}

const MAX_CSEQ = 2 ** 31 - 1; // RFC 3261 §8.1.1.5: "less than 2**31"

/** One via-parm (the value already split at commas). */
export function parseVia(value: string): Via | null {
  const parts: string[] = [];
  let i = skipWs(value, 0);
  for (let n = 0; n < 3; n++) {
    if (n > 0) {
      i = skipWs(value, i);
      if (value.charCodeAt(i) !== 47) return null;
      i = skipWs(value, i + 1);
    }
    const end = scan(value, i, TOKEN);
    if (end === i) return null;
    parts.push(value.slice(i, end));
    i = end;
  }
  const afterProtocol = skipWs(value, i);
  if (afterProtocol === i) return null;
  const via: Via = {
    protocol: `${parts[0]!.toUpperCase()}/${parts[1]!}`,
    transport: parts[2]!.toUpperCase(),
    host: "",
    params: new Map(),
  };
  i = scanHostPort(value, afterProtocol, via);
  if (i < 0) return null;
  i = scanParams(value, i, via.params);
  if (i < 0 || skipWs(value, i) !== value.length) return null;
  const branch = via.params.get("branch");
  if (branch) via.branch = branch;
  return via;
}

/** True for URIs we can model (sip, sips, tel) that parse, and for any other absoluteURI. */
function isValidUri(uri: string): boolean {
  const scheme = uriScheme(uri);
  if (scheme === "sip" || scheme === "sips" || scheme === "tel") return parseUri(uri) !== null;
  return isAbsoluteUri(uri);
}

/** `( name-addr / addr-spec ) *( SEMI param )` as in From, To, Contact, Route, Reply-To. */
export function parseNameAddr(value: string): NameAddr | null {
  let i = skipWs(value, 0);
  let displayName: string | undefined;
  let angle = false;
  if (value.charCodeAt(i) === 34) {
    const end = scanQuoted(value, i);
    if (end < 0) return null;
    displayName = unquote(value, i, end);
    i = skipWs(value, end);
    if (value.charCodeAt(i) !== 60) return null;
    angle = true;
  } else if (value.charCodeAt(i) === 60) {
    angle = true;
  } else {
    // Either `*(token LWS) <addr-spec>` or a bare addr-spec: look for "<" after tokens only.
    let j = i;
    const words: string[] = [];
    for (;;) {
      const end = scan(value, j, TOKEN);
      if (end === j) break;
      words.push(value.slice(j, end));
      j = skipWs(value, end);
      if (value.charCodeAt(j) === 60) {
        angle = true;
        displayName = words.join(" ");
        i = j;
        break;
      }
      if (j === end) break;
    }
  }
  let uri: string;
  if (angle) {
    // RFC 3261 LAQUOT/RAQUOT allow no whitespace inside the brackets (RFC 4475 §3.1.2.14).
    const close = value.indexOf(">", i + 1);
    if (close < 0) return null;
    uri = value.slice(i + 1, close);
    i = close + 1;
  } else {
    let end = i;
    while (end < value.length) {
      const c = value.charCodeAt(end);
      if (c === 59 || c === 32 || c === 9) break;
      if (c === 44 || c === 63) return null; // §20: such URIs must be in angle brackets
      end++;
    }
    uri = value.slice(i, end);
    i = end;
  }
  if (!isValidUri(uri)) return null;
  const params: SipParams = new Map();
  i = scanParams(value, i, params);
  if (i < 0 || skipWs(value, i) !== value.length) return null;
  const result: NameAddr = { uri, params };
  if (displayName !== undefined) result.displayName = displayName;
  const tag = params.get("tag");
  if (tag) result.tag = tag;
  return result;
}

/** Reads 1*DIGIT at `i` into a number no larger than `max`; -1 if absent or too large. */
function readNumber(s: string, i: number, end: number, max: number): number {
  if (end === i) return -1;
  let n = 0;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
    if (n > max) return -1;
  }
  return n;
}

export function parseCSeq(value: string): CSeq | null {
  const start = skipWs(value, 0);
  let i = start;
  while (i < value.length && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
  const seq = readNumber(value, start, i, MAX_CSEQ);
  if (seq < 0) return null;
  const methodStart = skipWs(value, i);
  if (methodStart === i) return null;
  const methodEnd = scan(value, methodStart, TOKEN);
  if (methodEnd === methodStart || skipWs(value, methodEnd) !== value.length) return null;
  return { seq, method: value.slice(methodStart, methodEnd) };
}

/** Max-Forwards: 1*DIGIT, at most 255 (leading zeros allowed, RFC 4475 §3.1.1.1). */
export function parseMaxForwards(value: string): number | null {
  const v = trimWs(value);
  const n = readNumber(v, 0, v.length, 255);
  return n < 0 ? null : n;
}

/** Content-Length: 1*DIGIT; anything above `max` is refused rather than overflowing. */
export function parseContentLength(value: string, max = 2 ** 31 - 1): number | null {
  const v = trimWs(value);
  const n = readNumber(v, 0, v.length, max);
  return n < 0 ? null : n;
}

/** callid = word [ "@" word ] */
export function isValidCallId(value: string): boolean {
  const v = trimWs(value);
  const at = v.indexOf("@");
  if (at < 0) return isAll(v, WORD);
  return isAll(v.slice(0, at), WORD) && isAll(v.slice(at + 1), WORD);
}
