// The ACK an INVITE client transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3):
// same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE, To from the response,
// and the INVITE's Route set. (The ACK for a 2xx belongs to the dialog layer, §13.2.2.4.)

import { SipHeaders, type SipRequest, type SipResponse } from "../message/index.ts";

export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.get("via");
  if (topVia !== undefined) headers.add("Via", topVia);
  headers.add("Max-Forwards", "70");
  const from = invite.headers.get("from");
  if (from !== undefined) headers.add("From", from);
  const to = response.headers.get("to") ?? invite.headers.get("to");
  if (to !== undefined) headers.add("To", to);
  const callId = invite.headers.get("call-id");
  if (callId !== undefined) headers.add("Call-ID", callId);
  const seq = (invite.headers.get("cseq") ?? "").trim().split(/\s+/)[0] ?? "";
  headers.add("CSeq", `${seq} ACK`);
  for (const route of invite.headers.getAll("route")) headers.add("Route", route);
  return {
    kind: "request",
    method: "ACK",
    uri: invite.uri,
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}
