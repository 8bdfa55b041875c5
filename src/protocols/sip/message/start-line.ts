// Request-Line and Status-Line (RFC 3261 §7.1, §7.2, §25.1): single SPs only, SIP/2.0 only,
// a Request-URI that is a valid SIP/SIPS/tel URI without headers or another absoluteURI.

import { isToken } from "./syntax.ts";
import { isAbsoluteUri, parseUri, uriScheme } from "./uri.ts";

export type StartLine =
  | { kind: "request"; method: string; uri: string; version: string }
  | { kind: "response"; status: number; reason: string; version: string };

export interface StartLineError {
  kind: "error";
  error: string;
  /** 505 for a well-formed other version, else 400. */
  status: number;
  isRequest: boolean;
  method?: string;
}

/** 0 when `v` is SIP/2.0 (ABNF literals are case-insensitive), 505 for another version, 400 else. */
function checkVersion(v: string): number {
  if (v.length === 7 && v.toUpperCase() === "SIP/2.0") return 0;
  if (v.length < 7 || v.slice(0, 4).toUpperCase() !== "SIP/") return 400;
  const dot = v.indexOf(".", 4);
  if (dot < 5 || dot === v.length - 1) return 400;
  for (let i = 4; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return 400;
  }
  return 505;
}

/** Request-URI: sip/sips/tel must parse and carry no `?headers` (§19.1.1); others as absoluteURI. */
function requestUriError(uri: string): string | null {
  const scheme = uriScheme(uri);
  if (scheme === "sip" || scheme === "sips" || scheme === "tel") {
    const parsed = parseUri(uri);
    if (parsed === null) return "malformed Request-URI";
    if (parsed.headers.size > 0) return "headers are not allowed in a Request-URI";
    return null;
  }
  return isAbsoluteUri(uri) ? null : "malformed Request-URI";
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

function error(error: string, status: number, isRequest: boolean, method?: string): StartLineError {
  const e: StartLineError = { kind: "error", error, status, isRequest };
  if (method !== undefined) e.method = method;
  return e;
}

export function parseStartLine(line: string): StartLine | StartLineError {
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === "SIP/") return parseStatusLine(line);
  const sp1 = line.indexOf(" ");
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isToken(method)) return error("malformed Request-Line", 400, true);
  const sp2 = sp1 < 0 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp2 < 0) return error("malformed Request-Line", 400, true, method);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (uri.length === 0 || version.indexOf(" ") >= 0 || version.indexOf("\t") >= 0) {
    return error("malformed Request-Line: one SP between elements", 400, true, method);
  }
  const versionStatus = checkVersion(version);
  if (versionStatus === 505) return error("SIP version not supported", 505, true, method);
  if (versionStatus !== 0) return error("malformed SIP-Version", 400, true, method);
  const uriError = requestUriError(uri);
  if (uriError !== null) return error(uriError, 400, true, method);
  return { kind: "request", method, uri, version };
}

function parseStatusLine(line: string): StartLine | StartLineError {
  const sp = line.indexOf(" ");
  if (sp < 0) return error("malformed Status-Line", 400, false);
  const version = line.slice(0, sp);
  if (checkVersion(version) !== 0) return error("unsupported or malformed SIP-Version", 400, false);
  let status = 0;
  for (let i = sp + 1; i < sp + 4; i++) {
    const c = line.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return error("malformed Status-Code", 400, false);
    status = status * 10 + (c - 48);
  }
  // Tolerated: "SIP/2.0 100" with neither SP nor Reason-Phrase after the code.
  if (line.length > sp + 4 && line.charCodeAt(sp + 4) !== 32) {
    return error("malformed Status-Code", 400, false);
  }
  if (status < 100 || status > 699) return error("Status-Code out of range", 400, false);
  const reason = line.slice(sp + 5);
  if (hasControl(reason)) return error("control character in Reason-Phrase", 400, false);
  return { kind: "response", status, reason, version };
}
