// The retention sweep of our voicemail store (README "Retention and erasure"): messages older
// than the user's limit (core/retention.ts) are deleted by the store's own delete path — the row,
// then its audio — and each user whose box changed is reported once, so MWI follows. Safe on
// several nodes at once: a message another node deleted first is not counted or reported here.

import type { Logger } from "pino";
import { retentionCutoff, retentionDaysOf } from "../core/retention.ts";
import type { Store, VoicemailRecord } from "../store/types.ts";
import { deleteVoicemailMessage } from "../store/voicemail-delete.ts";

/** Messages read per query, so a first sweep over a large store never loads it whole. */
const BATCH = 500;

export interface RetentionSweepDeps {
  store: Pick<Store, "users" | "voicemail" | "audio">;
  /** `voicemail.retentionDays`; undefined keeps messages but for profiles that set fewer days. */
  systemDays: number | undefined;
  /** A user's box changed (the event port's `mailboxChanged`). */
  changed(userId: string): void;
  logger: Logger;
  /** Checked between batches: a stopping node leaves the rest to the next sweep. */
  stopping?: () => boolean;
}

export interface RetentionSweepResult {
  /** Messages this sweep deleted. */
  messages: number;
  /** Users whose box changed. */
  users: number;
  /** Audio that could not be removed (logged; the row is gone, so nothing names it). */
  audioFailed: number;
}

export async function sweepExpiredVoicemail(
  deps: RetentionSweepDeps,
  now: Date,
): Promise<RetentionSweepResult> {
  const { store, systemDays, logger } = deps;
  const touched = new Set<string>();
  const result: RetentionSweepResult = { messages: 0, users: 0, audioFailed: 0 };

  const remove = async (m: VoicemailRecord): Promise<void> => {
    const outcome = await deleteVoicemailMessage(store, m);
    if (!outcome.deleted) return;
    result.messages++;
    touched.add(m.userId);
    if (outcome.audioError !== undefined) {
      result.audioFailed++;
      logger.warn(
        { err: outcome.audioError, userId: m.userId, audioId: m.audioId },
        "expired voicemail audio kept",
      );
    }
  };
  const drain = async (before: Date, userId?: string): Promise<void> => {
    for (;;) {
      const batch = await store.voicemail.receivedBefore(before, {
        limit: BATCH,
        ...(userId !== undefined ? { userId } : {}),
      });
      for (const m of batch) await remove(m);
      if (batch.length < BATCH || deps.stopping?.()) return;
    }
  };

  try {
    if (systemDays !== undefined) await drain(retentionCutoff(now, systemDays));
    for (const profile of await store.users.list()) {
      if (deps.stopping?.()) break;
      const days = retentionDaysOf(profile, systemDays);
      if (days !== undefined && days !== systemDays)
        await drain(retentionCutoff(now, days), profile.id);
    }
  } finally {
    // What was deleted before a failure is reported all the same.
    for (const userId of touched) deps.changed(userId);
    result.users = touched.size;
  }
  return result;
}
