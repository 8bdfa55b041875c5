// The single inbox's rule (README "Single inbox"): compares the voicemail mails in the user's IMAP
// mailbox (RFC 9051 flags) with the voicemails in our store, against what both sides agreed on
// last, and says what to change on which side. Pure, so the mapping and the loop guard are tested
// without a server.

/** Our mails of one voicemail in the mailbox (a mail delivered twice is two UIDs). */
export interface MailSide {
  uids: number[];
  /** Any copy has `\Seen`. */
  seen: boolean;
  /** Any copy has `\Flagged`. */
  flagged: boolean;
  /** Every copy has `\Deleted`: the mail counts as gone, as it will be at the next EXPUNGE. */
  deleted: boolean;
}

/** The voicemail in our store. */
export interface VoicemailSide {
  id: string;
  state: "new" | "saved";
}

/** What was last seen of one voicemail, keyed like the sides by communication id. */
export interface Agreed {
  /** The mail was in the mailbox (and not `\Deleted`). */
  mail: boolean;
  /** The voicemail was in the store. */
  voicemail: boolean;
  /** Both sides were present and it was read on one of them (read stays read). */
  read: boolean;
}

export type SyncAction =
  | { kind: "markSaved"; voicemailId: string }
  | { kind: "deleteVoicemail"; voicemailId: string }
  /**
   * The mail left the watched mailbox: expunged, moved to the trash (both deletions) or filed in
   * another folder (not one); the watcher looks where it went before deleting the voicemail.
   */
  | { kind: "mailGone"; voicemailId: string; communicationId: string }
  | { kind: "setSeen"; uids: number[] }
  | { kind: "deleteMail"; uids: number[] };

export interface SyncPlan {
  actions: SyncAction[];
  /** The agreement once the actions are done: what the next round compares against. */
  agreed: Map<string, Agreed>;
}

/** `\Seen` or `\Flagged` (kept) both make the voicemail saved: our store has no third state. */
export function mailRead(mail: MailSide): boolean {
  return mail.seen || mail.flagged;
}

/**
 * One round. A side that was present and is gone was deleted there, so the other side is deleted
 * too (a mail that left the mailbox without `\\Deleted` is first looked for elsewhere). A read on either side (a mail read or flagged, a voicemail saved) is carried to the other
 * once; afterwards `read` stays set, so our own change coming back from the other side is no new
 * change, and a mail the user marks unread again is left unread (our store cannot un-save).
 * Nothing is deleted on first sight: a voicemail whose mail is not in the mailbox may still be on
 * its way, a mail whose voicemail we never saw may be another user's.
 */
export function reconcile(
  previous: ReadonlyMap<string, Agreed>,
  mails: ReadonlyMap<string, MailSide>,
  voicemails: ReadonlyMap<string, VoicemailSide>,
): SyncPlan {
  const actions: SyncAction[] = [];
  const agreed = new Map<string, Agreed>();
  const ids = new Set([...previous.keys(), ...mails.keys(), ...voicemails.keys()]);
  for (const id of ids) {
    const before = previous.get(id);
    const found = mails.get(id);
    const mail = found && !found.deleted ? found : undefined;
    const voicemail = voicemails.get(id);
    if (voicemail && !mail && before?.mail) {
      actions.push(
        found
          ? { kind: "deleteVoicemail", voicemailId: voicemail.id }
          : { kind: "mailGone", voicemailId: voicemail.id, communicationId: id },
      );
      continue;
    }
    if (mail && !voicemail && before?.voicemail) {
      actions.push({ kind: "deleteMail", uids: mail.uids });
      continue;
    }
    if (!mail || !voicemail) {
      if (mail || voicemail)
        agreed.set(id, {
          mail: mail !== undefined,
          voicemail: voicemail !== undefined,
          read: false,
        });
      continue;
    }
    const paired = before?.mail === true && before.voicemail === true;
    const wasRead = paired && before.read;
    const readInMail = mailRead(mail);
    const saved = voicemail.state === "saved";
    if (!wasRead && readInMail && !saved)
      actions.push({ kind: "markSaved", voicemailId: voicemail.id });
    if (!wasRead && saved && !mail.seen) actions.push({ kind: "setSeen", uids: mail.uids });
    agreed.set(id, { mail: true, voicemail: true, read: wasRead || readInMail || saved });
  }
  return { actions, agreed };
}
