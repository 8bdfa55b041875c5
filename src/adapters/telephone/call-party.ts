// Who is calling whom, from the INVITE (RFC 3261 §20, RFC 3325 P-Asserted-Identity, RFC 5806
// Diversion): the caller's number and name, the number dialled, the number it was forwarded from.

import { parseNameAddr, parseUri, type SipRequest } from "../../protocols/sip/message/index.ts";
import type { CallParty } from "./call-leg.ts";

function userOf(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const parsed = parseUri(uri);
  return parsed?.user ?? undefined;
}

export function callPartyOf(invite: SipRequest): CallParty {
  const pai = invite.headers.get("p-asserted-identity");
  const from = parseNameAddr(pai ?? invite.headers.get("from") ?? "");
  const diversion = invite.headers.get("diversion");
  const party: CallParty = {};
  const ani = userOf(from?.uri);
  if (ani) party.ani = ani;
  if (from?.displayName) party.callerName = from.displayName;
  const dnis = userOf(invite.uri) ?? userOf(parseNameAddr(invite.headers.get("to") ?? "")?.uri);
  if (dnis) party.dnis = dnis;
  if (diversion) {
    const diverted = userOf(parseNameAddr(diversion.split(",")[0] ?? "")?.uri);
    if (diverted) party.divertedFrom = diverted;
  }
  return party;
}
