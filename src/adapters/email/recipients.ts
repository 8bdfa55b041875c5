// RCPT TO policy for SMTP in (RFC 5321 §3.3): mail is taken only for our own domains (never an
// open relay) and only for addresses that reach a user.

import type { Gateway } from "../../core/ports.ts";
import { REPLIES, type SmtpReplyError } from "./smtp-reply.ts";

/** A recipient accepted for the current transaction. */
export interface AcceptedRecipient {
  /** Lower-cased envelope address. */
  email: string;
  userId: string;
}

export type RecipientCheck =
  | { ok: true; recipient: AcceptedRecipient }
  | { ok: false; reply: SmtpReplyError };

/** Domains compare case-insensitively and without a trailing root dot. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, "");
}

/** The domain of an envelope address; the last "@" splits it, since a quoted local part may hold one. */
export function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return undefined;
  return normalizeDomain(address.slice(at + 1));
}

export function createRecipientPolicy(domains: readonly string[], gateway: Gateway) {
  const ours = new Set(domains.map(normalizeDomain));
  return async function checkRecipient(address: string): Promise<RecipientCheck> {
    const email = address.trim().toLowerCase();
    const domain = domainOf(email);
    if (domain === undefined) return { ok: false, reply: REPLIES.badAddress() };
    // The domain check comes before any lookup, so strangers learn nothing about our users.
    if (!ours.has(domain)) return { ok: false, reply: REPLIES.relayDenied() };
    const userId = await gateway.resolveUser({ scheme: "mailto", email });
    if (userId === undefined) return { ok: false, reply: REPLIES.noSuchUser() };
    return { ok: true, recipient: { email, userId } };
  };
}
