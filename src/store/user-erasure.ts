// Erasure of a user (README "Retention and erasure", GDPR art. 17): every row that refers to the
// user goes in one transaction — their profile, addresses and secrets, sessions, phones'
// registrations and subscriptions, PIN lockouts, MWI state and indicators, voicemail, and the
// communications they own with their deliveries and native ids. Audio is removed after the
// commit: a blob that will not go is reported, and no row names it any more.

import { GREETING_KINDS, greetingAudioId } from "../core/mailbox.ts";
import { isAudioId } from "./audio-store.ts";
import type { Database } from "./database.ts";
import type { AudioStore } from "./types.ts";

export interface UserErasure {
  /** Rows deleted, per table. */
  rows: Record<string, number>;
  /** Audio ids removed (or that were already gone). */
  audio: number;
  /** Audio that could not be removed, and why. */
  audioFailed: Array<{ audioId: string; error: string }>;
}

/**
 * Tables keyed by the user's id alone, children before the users row itself. A new table that
 * names a user belongs here (or beside communications); test/user-erasure.test.ts reads every
 * table and fails until it is.
 */
const BY_USER_ID = [
  "voicemail_messages",
  "mwi_indicators",
  "mwi_state",
  "mwi_versions",
  "sessions",
  "sip_registrations",
  "phone_subscriptions",
  "pin_lockouts",
  "user_emails",
  "user_phones",
  "user_jids",
] as const;

/** undefined when there is no such user. */
export async function eraseUser(
  database: Database,
  audioStore: AudioStore,
  userId: string,
): Promise<UserErasure | undefined> {
  const erased = await database.transaction(async (tx) => {
    const user = await tx.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!user) return undefined;
    const communications = await tx.db
      .selectFrom("communications")
      .select(["id", "audio_id"])
      .where("user_id", "=", userId)
      .execute();
    const voicemail = await tx.db
      .selectFrom("voicemail_messages")
      .select("audio_id")
      .where("user_id", "=", userId)
      .execute();
    const owned = tx.db.selectFrom("communications").select("id").where("user_id", "=", userId);
    const rows: Record<string, number> = {};
    const count = (table: string, res: { numDeletedRows: bigint }) => {
      rows[table] = Number(res.numDeletedRows);
    };
    count(
      "native_ids",
      await tx.db
        .deleteFrom("native_ids")
        .where("communication_id", "in", owned)
        .executeTakeFirst(),
    );
    count(
      "deliveries",
      await tx.db
        .deleteFrom("deliveries")
        .where((eb) => eb.or([eb("user_id", "=", userId), eb("communication_id", "in", owned)]))
        .executeTakeFirst(),
    );
    count(
      "communications",
      await tx.db.deleteFrom("communications").where("user_id", "=", userId).executeTakeFirst(),
    );
    for (const table of BY_USER_ID) {
      count(table, await tx.db.deleteFrom(table).where("user_id", "=", userId).executeTakeFirst());
    }
    count("users", await tx.db.deleteFrom("users").where("id", "=", userId).executeTakeFirst());
    // Recordings the rows named, speech made for the user's communications, their greetings.
    const audio = new Set<string>([
      ...voicemail.map((v) => v.audio_id),
      ...communications.flatMap((c) => (c.audio_id === null ? [] : [c.audio_id])),
      ...communications.map((c) => `tts-${c.id}`).filter(isAudioId),
      ...GREETING_KINDS.map((kind) => greetingAudioId(userId, kind)),
    ]);
    return { rows, audio };
  });
  if (!erased) return undefined;
  const audioFailed: UserErasure["audioFailed"] = [];
  for (const audioId of erased.audio) {
    try {
      await audioStore.delete(audioId);
    } catch (err) {
      audioFailed.push({ audioId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { rows: erased.rows, audio: erased.audio.size - audioFailed.length, audioFailed };
}
