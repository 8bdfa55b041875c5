// Builds a response to a request, or to the salvaged part of a malformed one (RFC 3261 §8.2.6.2):
// Via (all values, in order), From, To, Call-ID and CSeq are copied; a To tag is added on request.

import { parseNameAddr } from "./header-values.ts";
import { SipHeaders } from "./headers.ts";
import type { PartialRequest, SipRequest, SipResponse } from "./types.ts";

export interface ResponseOptions {
  /** Added to To unless it already has a tag (not for 100 Trying, §8.2.6.2). */
  toTag?: string;
  /** Extra headers, appended after the copied ones. */
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer;
}

const COPIED = ["via", "from", "to", "call-id", "cseq"] as const;

export function buildResponse(
  request: SipRequest | PartialRequest,
  status: number,
  reason: string,
  options: ResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const key of COPIED) {
    for (const e of request.headers) {
      if (e.key !== key) continue;
      let value = e.value;
      if (key === "to" && options.toTag !== undefined) value = withTag(value, options.toTag);
      headers.addKeyed(e.key, e.name, value);
      if (key !== "via") break; // one of each single-valued header, even from a bad request
    }
  }
  if (options.headers) for (const [name, value] of options.headers) headers.add(name, value);
  return {
    kind: "response",
    status,
    reason,
    version: "SIP/2.0",
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}

/** Appends `;tag=` unless the To already carries one (or cannot be parsed to tell). */
function withTag(to: string, tag: string): string {
  const parsed = parseNameAddr(to);
  if (parsed === null || parsed.tag !== undefined) return to;
  return `${to};tag=${tag}`;
}
