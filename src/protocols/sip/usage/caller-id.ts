// The From of a call placed for a communication (RFC 3261 §8.1.1.3): the original caller or
// sender as the user part or display name, under our domain, with nothing that could break
// the header.

import { formatAddress } from "../../../core/address.ts";
import { type Communication, isText } from "../../../core/communication.ts";
import type { CallerId } from "../../../core/telephony.ts";
import { isStation } from "./diversion.ts";

/** Control characters in a sender's name would break the From header; long ones are cut. */
function safeName(name: string | undefined): string | undefined {
  const clean = name
    ?.replace(/[\p{Cc}"\\]/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 64);
  return clean || undefined;
}

/** Who the phone shows as calling: the original caller or sender, under our domain. */
export function callerIdentity(c: Communication, domain: string): CallerId {
  let user = "omnivox";
  let name: string | undefined;
  if (c.direction === "outbound") {
    user = c.userId;
  } else if (!isText(c)) {
    if (c.ani && isStation(c.ani)) user = c.ani;
    name = c.callerName;
  } else if (c.from.scheme === "mailto") {
    name = c.from.name || c.from.email;
  } else if (c.from.scheme === "tel") {
    user = c.from.number;
  } else {
    name = formatAddress(c.from);
  }
  if (!isStation(user)) user = "omnivox";
  const displayName = safeName(name);
  return { uri: `sip:${user}@${domain}`, ...(displayName ? { displayName } : {}) };
}
