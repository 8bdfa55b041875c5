// Who may give a profile its addresses (README "Addresses and ownership", docs/security.md): the
// emails, phone numbers, XMPP JIDs and legacy voicemail boxes that make mail, calls and chats
// reach a user are assigned by the admin. A user may keep, reorder or drop their own, never add
// or change one, since whoever holds an address receives what is sent to it.

import { ForbiddenError, ValidationError } from "../core/errors.ts";
import { jidKey, type Profile, type VoicemailSystem } from "../core/profile.ts";

const ADMIN_ASSIGNS = "addresses are assigned by the admin; ask the admin to add or change";

/** A legacy box is its address: where MWI is subscribed and deposits are dialled. */
function boxKey(system: VoicemailSystem): string | undefined {
  if (system.kind === "sip") return `sip ${system.uri} ${system.depositUri ?? ""}`;
  if (system.kind === "smdi") {
    return `smdi ${system.link} ${system.station} ${system.depositUri ?? ""}`;
  }
  return undefined;
}

/**
 * ForbiddenError when `next` holds an address `current` does not: `field` says which list, the
 * message which address. Ids, order and removals are the user's to change.
 */
export function assertOwnAddresses(current: Profile, next: Profile): void {
  const check = (field: string, had: Iterable<string>, has: Iterable<string>) => {
    const owned = new Set(had);
    for (const address of has) {
      if (!owned.has(address)) {
        throw new ForbiddenError(`${field}: ${ADMIN_ASSIGNS} "${address}"`);
      }
    }
  };
  check("emails", current.emails.map(lower), next.emails.map(lower));
  check("phones", current.phones, next.phones);
  check("imClients", jidsOf(current), jidsOf(next));
  const boxes = (p: Profile) => p.voicemailSystems.flatMap((s) => boxKey(s) ?? []);
  check("voicemailSystems", boxes(current), boxes(next));
}

/** Mail reaches omnivox only for smtp.domains, so an email elsewhere is no address of a user. */
export function assertServedEmails(
  profile: Pick<Profile, "emails">,
  domains: readonly string[],
): void {
  const served = new Set(domains.map((d) => d.trim().toLowerCase().replace(/\.$/, "")));
  profile.emails.forEach((email, i) => {
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    if (!served.has(domain)) {
      throw new ValidationError(
        `emails.${i}`,
        `"${email}" is not in a domain omnivox serves (smtp.domains: ${[...served].join(", ")})`,
      );
    }
  });
}

function jidsOf(profile: Profile): string[] {
  return profile.imClients.flatMap((c) => (c.kind === "xmpp" ? [jidKey(c.jid)] : []));
}

function lower(s: string): string {
  return s.trim().toLowerCase();
}
