// Our voicemail mails in a selected IMAP mailbox (RFC 9051): found by SEARCH HEADER on
// X-Omnivox-Communication, read with their flags as ./reconcile.ts takes them, and looked for in
// the other folders when one leaves (RFC 6154 special-use names the trash).

import type { ImapFlow } from "imapflow";
import { z } from "zod";
import { COMMUNICATION_HEADER } from "../../core/communication.ts";
import type { MailSide } from "./reconcile.ts";

/** A communication id as we write it; anything else in the header is not ours. */
const headerValue = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .optional();

const HEADER_LINE = new RegExp(`^${COMMUNICATION_HEADER}:[ \\t]*([^\\r\\n]*)`, "im");

/** The communication id in the header block imapflow fetched, when it is one of ours. */
export function communicationIdOf(headers: Buffer | undefined): string | undefined {
  const parsed = headerValue.safeParse(HEADER_LINE.exec(headers?.toString("latin1") ?? "")?.[1]);
  return parsed.success ? parsed.data?.trim() : undefined;
}

/**
 * The mails of one mailbox, by communication id. A UID's header never changes while the mailbox
 * keeps its UIDVALIDITY (RFC 9051 §2.3.1.1), so it is fetched once; each read then fetches only
 * the flags.
 */
export class OurMails {
  /** The communication id in each UID's header (null: none of ours). */
  #ids = new Map<number, string | null>();
  #uidValidity: bigint | undefined;

  async read(client: ImapFlow): Promise<Map<string, MailSide>> {
    const mails = new Map<string, MailSide>();
    const validity = client.mailbox ? client.mailbox.uidValidity : undefined;
    if (validity !== this.#uidValidity) this.#ids.clear();
    this.#uidValidity = validity;
    const found = await client.search({ header: { [COMMUNICATION_HEADER]: true } }, { uid: true });
    const uids = found || [];
    const ids = new Map<number, string | null>();
    const unknown: number[] = [];
    for (const uid of uids) {
      const id = this.#ids.get(uid);
      if (id === undefined) unknown.push(uid);
      else ids.set(uid, id);
    }
    if (unknown.length > 0) {
      const query = { uid: true, headers: [COMMUNICATION_HEADER] };
      for (const m of await client.fetchAll(unknown, query, { uid: true }))
        ids.set(m.uid, communicationIdOf(m.headers) ?? null);
    }
    // Expunged UIDs are forgotten with the search that no longer finds them.
    this.#ids = ids;
    if (uids.length === 0) return mails;
    for (const m of await client.fetchAll(uids, { uid: true, flags: true }, { uid: true })) {
      const id = ids.get(m.uid);
      if (!id) continue;
      const flags = m.flags ?? new Set<string>();
      const side = mails.get(id) ?? { uids: [], seen: false, flagged: false, deleted: true };
      side.uids.push(m.uid);
      side.seen ||= flags.has("\\Seen");
      side.flagged ||= flags.has("\\Flagged");
      side.deleted &&= flags.has("\\Deleted");
      mails.set(id, side);
    }
    return mails;
  }
}

/**
 * The folder other than `watched` that holds a mail of that communication, and whether it is the
 * trash (`\Trash`), or undefined when none does. Selects each folder in turn on `client`.
 */
export async function findElsewhere(
  client: ImapFlow,
  watched: string,
  communicationId: string,
): Promise<{ folder: string; trash: boolean } | undefined> {
  for (const box of await client.list()) {
    if (box.path.toUpperCase() === watched.toUpperCase() || box.flags.has("\\Noselect")) continue;
    await client.mailboxOpen(box.path, { readOnly: true });
    const query = { header: { [COMMUNICATION_HEADER]: communicationId } };
    const uids = await client.search(query, { uid: true });
    if (uids && uids.length > 0) return { folder: box.path, trash: box.specialUse === "\\Trash" };
  }
  return undefined;
}
