// Writes a SipMessage to wire bytes (RFC 3261 §7): CRLF line ends, canonical header names, one
// header line per value, and a Content-Length always computed from the body (§20.14).

import { canonicalName } from "./header-names.ts";
import type { SipMessage } from "./types.ts";

function hasLineBreak(s: string): boolean {
  return s.indexOf("\n") >= 0 || s.indexOf("\r") >= 0;
}

/** The start line and header lines, each ending in CRLF, plus the empty line. */
export function serializeHead(msg: SipMessage): string {
  let head =
    msg.kind === "request"
      ? `${msg.method} ${msg.uri} ${msg.version}\r\n`
      : `${msg.version} ${msg.status} ${msg.reason}\r\n`;
  for (const e of msg.headers) {
    if (e.key === "content-length") continue;
    // A CR or LF set by a caller would let one value smuggle in further headers.
    if (hasLineBreak(e.value) || hasLineBreak(e.name)) {
      throw new TypeError(`header ${e.name} contains CR or LF`);
    }
    head += `${canonicalName(e.key, e.name)}: ${e.value}\r\n`;
  }
  return `${head}Content-Length: ${msg.body.length}\r\n\r\n`;
}

export function serializeMessage(msg: SipMessage): Buffer {
  const head = serializeHead(msg);
  const headLength = Buffer.byteLength(head, "utf8");
  // One allocation for the whole datagram instead of Buffer.concat's intermediate array.
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, "utf8");
  out.set(msg.body, headLength);
  return out;
}
