// The sweep of orphaned audio. A deposit (and an API upload) writes its audio before the
// transaction that names it, so a transaction that fails or a crash between the two leaves a
// blob no communication or voicemail message names; after a grace period it is deleted, as are
// the temp files of audio writes a crash cut short.

import type { Store } from "../store/types.ts";

/**
 * Audio written ahead of the communication that names it: voicemail deposits (`vm-`) and
 * recordings posted through the API (`api-`). Greetings and speech made for one delivery are
 * named by no row and are never swept.
 */
const AHEAD_OF_COMMIT = ["vm-", "api-"] as const;

/** Long past any transaction in flight, so a deposit that is being written is never swept. */
export const ORPHAN_AUDIO_GRACE_MS = 60 * 60_000;

/** Deletes the orphaned audio written before `now - graceMs`; returns the ids deleted. */
export async function sweepOrphanAudio(
  store: Store,
  now: Date,
  graceMs = ORPHAN_AUDIO_GRACE_MS,
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - graceMs);
  await store.audio.dropPartialWrites(cutoff);
  const old = (await store.audio.listWrittenBefore(cutoff)).filter((id) =>
    AHEAD_OF_COMMIT.some((prefix) => id.startsWith(prefix)),
  );
  if (old.length === 0) return [];
  const used = await store.audioInUse(old);
  const orphans = old.filter((id) => !used.has(id));
  for (const id of orphans) await store.audio.delete(id);
  return orphans;
}
