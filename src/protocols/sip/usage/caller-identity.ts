// Who is calling, as far as the caller proved it: a P-Asserted-Identity from a trusted proxy
// (RFC 3325 §9.1, the trust domain is `sip.trustedProxies`) or Digest credentials on the INVITE
// (RFC 3261 §22). Never the source address: many phones share one behind a proxy or NAT.

import { isIP } from "node:net";
import type { IncomingRequest } from "../endpoint.ts";
import { newTag } from "../endpoint-request.ts";
import { parseNameAddr, parseUri } from "../message/index.ts";
import { authenticate, type DigestGateOptions } from "./digest-gate.ts";

/** "::ffff:192.0.2.1" is 192.0.2.1: a dual-stack socket reports IPv4 peers that way. */
function normalHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? mapped[1]! : h;
}

/** Whether requests from `host` may assert identities (an address in the trusted list). */
export function isTrustedSource(host: string, trusted: readonly string[]): boolean {
  if (trusted.length === 0 || isIP(normalHost(host)) === 0) return false;
  const h = normalHost(host);
  return trusted.some((t) => normalHost(t) === h);
}

/** The user part of the P-Asserted-Identity (the first, sip or tel), or undefined. */
export function assertedUser(req: IncomingRequest): string | undefined {
  for (const value of req.message.headers.getAll("p-asserted-identity")) {
    const na = parseNameAddr(value.split(",")[0] ?? "");
    const user = na ? parseUri(na.uri)?.user : undefined;
    if (user) return user;
  }
  return undefined;
}

/** The user part the caller claims in From, or undefined (anonymous, unreadable). */
export function claimedUser(req: IncomingRequest): string | undefined {
  const na = parseNameAddr(req.message.headers.get("from") ?? "");
  return (na ? parseUri(na.uri)?.user : undefined) || undefined;
}

/** `owner`: the called user proved it is them; `other`: anyone else; `answered`: we challenged. */
export type CallerCheck = "owner" | "other" | "answered";

export interface CallerCheckOptions {
  /** Whether the request came from a trusted proxy (isTrustedSource). */
  trusted: boolean;
  /** Whether a user part (from PAI or From) names `calledUser`: their id or one of their numbers. */
  names(user: string, calledUser: string): Promise<boolean>;
  /** The digest gate; its `proxy` is forced on (407, as PBXs challenge INVITEs). */
  gate: DigestGateOptions;
}

/**
 * Decides whether the caller is the called user themselves. A trusted PAI answers without a
 * challenge. Otherwise a call whose From claims the called user is challenged (407); only
 * credentials of that user make it the owner. A caller that cannot answer the challenge gets
 * no further: that is the answer to a spoofed From, and the mailbox still asks for the PIN on
 * the access number.
 */
export async function checkCaller(
  req: IncomingRequest,
  calledUser: string,
  opts: CallerCheckOptions,
): Promise<CallerCheck> {
  if (opts.trusted) {
    const asserted = assertedUser(req);
    if (asserted !== undefined) return (await opts.names(asserted, calledUser)) ? "owner" : "other";
  }
  const claimed = claimedUser(req);
  if (claimed === undefined || !(await opts.names(claimed, calledUser))) return "other";
  const user = await authenticate(req, { ...opts.gate, proxy: true }, newTag());
  if (user === undefined) return "answered";
  return user === calledUser ? "owner" : "other";
}
