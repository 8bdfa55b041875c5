// Transaction matching (RFC 3261 §17.1.3 for responses, §17.2.3 for requests): the top Via branch
// with the magic cookie plus sent-by and method. ACK maps to its INVITE; CANCEL has its own key
// and finds its INVITE through inviteKeyFor(). Branches without the cookie (RFC 2543 peers) get
// an approximate key from Call-ID, CSeq, From tag and the Via; full §17.2.3 2543 matching is not
// implemented.

import {
  parseCSeq,
  parseNameAddr,
  parseVia,
  type SipRequest,
  type SipResponse,
  type Via,
} from "../message/index.ts";

export const MAGIC_COOKIE = "z9hG4bK";

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ""}`;
}

function requestKey(req: SipRequest, method: string): string | null {
  const top = req.headers.get("via");
  const via = top === undefined ? null : parseVia(top);
  if (via === null) return null;
  if (via.branch?.startsWith(MAGIC_COOKIE)) return `${via.branch}|${sentBy(via)}|${method}`;
  const cseq = parseCSeq(req.headers.get("cseq") ?? "");
  const from = parseNameAddr(req.headers.get("from") ?? "");
  return `2543|${req.headers.get("call-id") ?? ""}|${cseq?.seq ?? ""}|${from?.tag ?? ""}|${top}|${method}`;
}

/** The server transaction a request belongs to; ACK belongs to its INVITE. */
export function serverKey(req: SipRequest): string | null {
  return requestKey(req, req.method === "ACK" ? "INVITE" : req.method);
}

/** The INVITE server transaction a CANCEL targets (§9.2: same branch and sent-by). */
export function inviteKeyFor(cancel: SipRequest): string | null {
  return requestKey(cancel, "INVITE");
}

/** The client transaction a response belongs to: branch plus CSeq method. */
export function clientKeyForResponse(res: SipResponse): string | null {
  const top = res.headers.get("via");
  const via = top === undefined ? null : parseVia(top);
  const cseq = parseCSeq(res.headers.get("cseq") ?? "");
  if (via?.branch === undefined || cseq === null) return null;
  return clientKey(via.branch, cseq.method);
}

export function clientKey(branch: string, method: string): string {
  return `${branch}|${method === "ACK" ? "INVITE" : method}`;
}
