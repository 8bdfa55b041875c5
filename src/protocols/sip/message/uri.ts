// SIP, SIPS (RFC 3261 §19.1, grammar §25.1) and tel (RFC 3966) URIs, plus the generic
// absoluteURI check used for other schemes in a Request-URI or name-addr.

import {
  HNV,
  hasClass,
  isIpv6Ref,
  PARAM,
  PASSWORD,
  URIC,
  USER,
  unescapeChecked,
} from "./syntax.ts";
import type { SipParams } from "./types.ts";

export interface SipUri {
  scheme: "sip" | "sips" | "tel";
  /** Unescaped; for tel the subscriber number. */
  user?: string;
  password?: string;
  /** Hostname, IPv4 address or bracketed IPv6 reference; "" for tel. */
  host: string;
  port?: number;
  /** uri-parameters, names lower-cased, values unescaped. */
  params: SipParams;
  /** `?` headers, unescaped, names as written. */
  headers: Map<string, string>;
}

/** Lower-cased scheme of an absolute URI, or null when `s` does not start with one. */
export function uriScheme(s: string): string | null {
  const colon = s.indexOf(":");
  if (colon < 1) return null;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const alpha = c >= 97 && c <= 122;
    if (
      i === 0 ? !alpha : !(alpha || (c >= 48 && c <= 57) || c === 0x2b || c === 0x2d || c === 0x2e)
    )
      return null;
  }
  return s.slice(0, colon).toLowerCase();
}

/** absoluteURI of RFC 3261 §25.1 (RFC 2396): scheme ":" 1*uric, for schemes we do not model. */
export function isAbsoluteUri(s: string): boolean {
  const scheme = uriScheme(s);
  if (scheme === null) return false;
  const rest = s.slice(scheme.length + 1);
  return rest.length > 0 && unescapeChecked(rest, URIC) !== null;
}

export function parseUri(s: string): SipUri | null {
  const scheme = uriScheme(s);
  if (scheme === "sip" || scheme === "sips") return parseSip(scheme, s, scheme.length + 1);
  if (scheme === "tel") return parseTel(s, 4);
  return null;
}

function parseSip(scheme: "sip" | "sips", s: string, start: number): SipUri | null {
  const uri: SipUri = { scheme, host: "", params: new Map(), headers: new Map() };
  let i = start;
  // An unescaped "@" cannot occur in host, parameters or headers, so the first one ends userinfo.
  const at = s.indexOf("@", i);
  if (at >= 0) {
    const colon = s.indexOf(":", i);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    const user = unescapeChecked(s.slice(i, userEnd), USER);
    if (user === null || userEnd === i) return null;
    uri.user = user;
    if (userEnd < at) {
      const password = s.slice(userEnd + 1, at);
      const decoded = password.length === 0 ? "" : unescapeChecked(password, PASSWORD);
      if (decoded === null) return null;
      uri.password = decoded;
    }
    i = at + 1;
  }
  i = scanHostPort(s, i, uri);
  if (i < 0) return null;
  while (i < s.length && s.charCodeAt(i) === 59) {
    let end = i + 1;
    while (end < s.length && s.charCodeAt(end) !== 59 && s.charCodeAt(end) !== 63) end++;
    const seg = s.slice(i + 1, end);
    const eq = seg.indexOf("=");
    const name = unescapeChecked(eq < 0 ? seg : seg.slice(0, eq), PARAM);
    if (name === null || name.length === 0) return null;
    let value: string | null = null;
    if (eq >= 0) {
      value = unescapeChecked(seg.slice(eq + 1), PARAM);
      if (value === null || value.length === 0) return null;
    }
    uri.params.set(name.toLowerCase(), value);
    i = end;
  }
  if (i < s.length) {
    if (s.charCodeAt(i) !== 63) return null;
    for (const pair of s.slice(i + 1).split("&")) {
      const eq = pair.indexOf("=");
      if (eq < 1) return null;
      const name = unescapeChecked(pair.slice(0, eq), HNV);
      const value = eq + 1 === pair.length ? "" : unescapeChecked(pair.slice(eq + 1), HNV);
      if (name === null || value === null) return null;
      uri.headers.set(name, value);
    }
  }
  return uri;
}

/** Reads hostport (§25.1) at `i` into `out`; returns the index after it or -1. */
export function scanHostPort(s: string, i: number, out: { host: string; port?: number }): number {
  let end = i;
  if (s.charCodeAt(i) === 91) {
    end = s.indexOf("]", i);
    if (end < 0) return -1;
    end++;
    if (!isIpv6Ref(s.slice(i, end))) return -1;
  } else {
    let prev = 46; // as if after a ".", so a leading "." or "-" is refused
    for (; end < s.length; end++) {
      const c = s.charCodeAt(end);
      const alnum = (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
      if (alnum) {
        prev = c;
        continue;
      }
      if (c === 45 && prev !== 46) {
        prev = c;
        continue;
      }
      if (c === 46 && prev !== 46 && prev !== 45) {
        prev = c;
        continue;
      }
      break;
    }
    if (end === i || prev === 45) return -1;
  }
  out.host = s.slice(i, end);
  if (s.charCodeAt(end) !== 58) return end;
  let p = end + 1;
  let port = 0;
  while (p < s.length && p - end <= 5) {
    const c = s.charCodeAt(p);
    if (c < 48 || c > 57) break;
    port = port * 10 + (c - 48);
    p++;
  }
  if (p === end + 1 || port > 65535) return -1;
  const after = s.charCodeAt(p);
  if (after >= 48 && after <= 57) return -1;
  out.port = port;
  return p;
}

function isTelChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 70) ||
    (c >= 97 && c <= 102) ||
    c === 42 || // *
    c === 35 || // #
    c === 43 || // +
    c === 45 || // - visual separators follow
    c === 46 ||
    c === 40 ||
    c === 41
  );
}

function parseTel(s: string, start: number): SipUri | null {
  const uri: SipUri = { scheme: "tel", host: "", params: new Map(), headers: new Map() };
  let i = start;
  while (i < s.length && isTelChar(s.charCodeAt(i))) i++;
  if (i === start) return null;
  uri.user = s.slice(start, i);
  while (i < s.length) {
    if (s.charCodeAt(i) !== 59) return null;
    let end = i + 1;
    while (end < s.length && s.charCodeAt(end) !== 59) end++;
    const seg = s.slice(i + 1, end);
    const eq = seg.indexOf("=");
    const name = eq < 0 ? seg : seg.slice(0, eq);
    if (name.length === 0 || !hasClass(name.charCodeAt(0), PARAM)) return null;
    const value = eq < 0 ? null : unescapeChecked(seg.slice(eq + 1), PARAM);
    if (eq >= 0 && value === null) return null;
    uri.params.set(name.toLowerCase(), value);
    i = end;
  }
  return uri;
}
