// Helpers a UA uses to build requests (RFC 3261 §8.1.1): fresh tags, Call-IDs and branches with
// enough randomness to be globally unique (§8.1.1.3, §8.1.1.7, §19.3), a request from its parts,
// and the CANCEL of an INVITE (§9.1).

import { randomBytes } from "node:crypto";
import { SipHeaders, type SipRequest } from "./message/index.ts";
import { MAGIC_COOKIE } from "./transaction/keys.ts";

/** 32 random bits at least, as §19.3 asks of tags; base-36 keeps them token-safe. */
export function newTag(): string {
  return randomBytes(8).readBigUInt64BE().toString(36);
}

export function newCallId(host: string): string {
  return `${randomBytes(12).toString("hex")}@${host}`;
}

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomBytes(10).toString("hex")}`;
}

export interface RequestParts {
  method: string;
  uri: string;
  from: { uri: string; displayName?: string; tag: string };
  to: { uri: string; displayName?: string; tag?: string };
  callId: string;
  cseq: number;
  /** A URI, put in angle brackets. */
  contact?: string;
  headers?: Array<[string, string]>;
  body?: Buffer;
  contentType?: string;
}

function quoteDisplayName(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" `;
}

function nameAddr(uri: string, displayName?: string, tag?: string): string {
  const shown = displayName === undefined ? "" : quoteDisplayName(displayName);
  return `${shown}<${uri}>${tag === undefined ? "" : `;tag=${tag}`}`;
}

const METHOD = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/**
 * A request without Via (the endpoint adds it when sending). Throws TypeError for a method that
 * is not a token or a CSeq outside 0..2^31-1 — both programming errors, not network input.
 */
export function createRequest(parts: RequestParts): SipRequest {
  if (!METHOD.test(parts.method)) throw new TypeError(`invalid SIP method "${parts.method}"`);
  if (!Number.isInteger(parts.cseq) || parts.cseq < 0 || parts.cseq >= 2 ** 31) {
    throw new TypeError(`CSeq must be an integer from 0 to 2^31-1, got ${parts.cseq}`);
  }
  const headers = new SipHeaders();
  headers.add("Max-Forwards", "70");
  headers.add("From", nameAddr(parts.from.uri, parts.from.displayName, parts.from.tag));
  headers.add("To", nameAddr(parts.to.uri, parts.to.displayName, parts.to.tag));
  headers.add("Call-ID", parts.callId);
  headers.add("CSeq", `${parts.cseq} ${parts.method}`);
  if (parts.contact !== undefined) headers.add("Contact", `<${parts.contact}>`);
  for (const [name, value] of parts.headers ?? []) headers.add(name, value);
  const body = parts.body ?? Buffer.alloc(0);
  if (body.length > 0 && parts.contentType !== undefined)
    headers.set("Content-Type", parts.contentType);
  return {
    kind: "request",
    method: parts.method,
    uri: parts.uri,
    version: "SIP/2.0",
    headers,
    body,
  };
}

/**
 * The CANCEL for an INVITE already sent through the endpoint (§9.1): same Request-URI, Call-ID,
 * From, To, CSeq number and top Via (so it reaches the same server transaction), plus its Routes.
 */
export function createCancel(invite: SipRequest): SipRequest {
  const headers = new SipHeaders();
  const via = invite.headers.get("via");
  if (via === undefined)
    throw new TypeError("createCancel needs the INVITE as sent (it has no Via yet)");
  headers.add("Via", via);
  headers.add("Max-Forwards", "70");
  for (const name of ["From", "To", "Call-ID"]) {
    const value = invite.headers.get(name);
    if (value !== undefined) headers.add(name, value);
  }
  const seq = (invite.headers.get("cseq") ?? "").trim().split(/\s+/)[0] ?? "";
  headers.add("CSeq", `${seq} CANCEL`);
  for (const route of invite.headers.getAll("route")) headers.add("Route", route);
  return {
    kind: "request",
    method: "CANCEL",
    uri: invite.uri,
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}
