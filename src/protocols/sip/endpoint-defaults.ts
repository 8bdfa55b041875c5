// The answers an endpoint gives on its own (RFC 3261 §8.2, §11.2, §21): 400/505/513 for what the
// parser refused (the problem named in the reason phrase and a 399 Warning, §20.43), 200 to an
// OPTIONS nobody claimed, 501 to a method nobody handles and 503 when transactions run out.

import { buildResponse, type ParseFailure, type SipResponse } from "./message/index.ts";
import { reasonPhrase } from "./transaction/reasons.ts";

/** Printable ASCII only, so a hostile error text cannot break the header line. */
function sanitize(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}

export function warningHeader(agentHost: string, text: string): [string, string] {
  return ["Warning", `399 ${agentHost} "${sanitize(text).replace(/["\\]/g, "'")}"`];
}

/** Null when the failure cannot be answered (no usable Via, an ACK, or a response). */
export function parseFailureResponse(
  failure: ParseFailure,
  agentHost: string,
  serverHeader?: string,
): SipResponse | null {
  if (!failure.canRespond || failure.partial === undefined) return null;
  const status = [400, 505, 513].includes(failure.status) ? failure.status : 400;
  const headers: Array<[string, string]> = [warningHeader(agentHost, failure.error)];
  if (serverHeader) headers.push(["Server", serverHeader]);
  return buildResponse(
    failure.partial,
    status,
    `${reasonPhrase(status)} (${sanitize(failure.error)})`,
    { headers },
  );
}

export const DEFAULT_ACCEPT = "application/sdp";

/** The Allow list: what the TU modules declared plus what the endpoint itself answers. */
export function allowList(declared: Iterable<string>): string {
  const methods = new Set(["OPTIONS"]);
  for (const m of declared) methods.add(m.toUpperCase());
  if (methods.has("INVITE")) {
    methods.add("ACK");
    methods.add("CANCEL");
  }
  return [...methods].join(", ");
}
