// Who is calling whom, from the INVITE (RFC 3261 §20; RFC 3325 P-Asserted-Identity only from a
// trusted proxy): the caller's number and name and the number the call reached. Where a
// forwarded call was meant to go is protocols/sip/usage/retarget.ts.

import type { CallParty } from "../../core/telephony.ts";
import { parseNameAddr, parseUri, type SipRequest } from "../../protocols/sip/message/index.ts";

function userOf(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const parsed = parseUri(uri);
  return parsed?.user ?? undefined;
}

/**
 * `assertedIdentity`: the request came from a trusted proxy, so its P-Asserted-Identity names
 * the caller; from anyone else the header is ignored (a caller cannot assert itself).
 */
export function callPartyOf(
  invite: SipRequest,
  opts: { assertedIdentity: boolean } = { assertedIdentity: false },
): CallParty {
  const pai = opts.assertedIdentity ? invite.headers.get("p-asserted-identity") : undefined;
  const from = parseNameAddr(pai?.split(",")[0] ?? invite.headers.get("from") ?? "");
  const party: CallParty = {};
  const ani = userOf(from?.uri);
  if (ani) party.ani = ani;
  if (from?.displayName) party.callerName = from.displayName;
  const dnis = userOf(invite.uri) ?? userOf(parseNameAddr(invite.headers.get("to") ?? "")?.uri);
  if (dnis) party.dnis = dnis;
  return party;
}
