// Checks a parsed message for the headers every transaction needs (RFC 3261 §8.1.1, §8.2.2,
// §20): exactly one well-formed To, From, Call-ID and CSeq, at least one Via, a sane Max-Forwards.

import {
  isValidCallId,
  parseCSeq,
  parseMaxForwards,
  parseNameAddr,
  parseVia,
} from "./header-values.ts";
import type { SipHeaders } from "./headers.ts";
import type { StartLine } from "./start-line.ts";

/** Counts and (for the single-valued ones) returns the header's values in one walk. */
function collect(headers: SipHeaders): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const e of headers) {
    switch (e.key) {
      case "via":
      case "from":
      case "to":
      case "call-id":
      case "cseq":
      case "max-forwards": {
        const list = found.get(e.key);
        if (list) list.push(e.value);
        else found.set(e.key, [e.value]);
      }
    }
  }
  return found;
}

function single(found: Map<string, string[]>, key: string, label: string): string | Error {
  const list = found.get(key);
  if (!list) return new Error(`missing ${label}`);
  if (list.length > 1) return new Error(`more than one ${label}`);
  return list[0]!;
}

/** Returns a description of the first problem, or null when the message may be processed. */
export function validateMandatory(headers: SipHeaders, start: StartLine): string | null {
  const found = collect(headers);
  const vias = found.get("via");
  if (!vias) return "missing Via";
  for (const v of vias) if (parseVia(v) === null) return "malformed Via";
  for (const [key, label] of [
    ["from", "From"],
    ["to", "To"],
  ] as const) {
    const value = single(found, key, label);
    if (value instanceof Error) return value.message;
    if (parseNameAddr(value) === null) return `malformed ${label}`;
  }
  const callId = single(found, "call-id", "Call-ID");
  if (callId instanceof Error) return callId.message;
  if (!isValidCallId(callId)) return "malformed Call-ID";
  const cseqValue = single(found, "cseq", "CSeq");
  if (cseqValue instanceof Error) return cseqValue.message;
  const cseq = parseCSeq(cseqValue);
  if (cseq === null) return "malformed CSeq";
  if (start.kind === "request" && cseq.method !== start.method) {
    return "CSeq method does not match the Request-Line";
  }
  // Max-Forwards is tolerated when missing (RFC 2543 peers, RFC 4475 §3.4.1).
  const mf = found.get("max-forwards");
  if (mf) {
    if (mf.length > 1) return "more than one Max-Forwards";
    if (parseMaxForwards(mf[0]!) === null) return "malformed Max-Forwards";
  }
  return null;
}
