// The sweep of orphaned audio. A deposit (and an API upload) writes its audio before the
// transaction that names it, so a transaction that fails or a crash between the two leaves a
// blob no communication or voicemail message names; after a grace period it is deleted, as are
// the temp files of audio writes a crash cut short. Each sweep looks only at what was written
// since the one before, so its work follows the traffic, not the size of the store.

import type { Store } from "../store/types.ts";

/**
 * Audio written ahead of the communication that names it: voicemail deposits (`vm-`) and
 * recordings posted through the API (`api-`). Greetings and speech made for one delivery are
 * named by no row and are never swept.
 */
const AHEAD_OF_COMMIT = ["vm-", "api-"] as const;

/** Long past any transaction in flight, so a deposit that is being written is never swept. */
export const ORPHAN_AUDIO_GRACE_MS = 60 * 60_000;

/**
 * How far back the first sweep after a start looks: a crash leaves its orphans just before the
 * process stopped, so a week covers any downtime an operator would sit out.
 */
export const FIRST_SWEEP_LOOKBACK_MS = 7 * 24 * 60 * 60_000;

export interface SweepResult {
  swept: string[];
  /** Where the next sweep starts (pass it as `since`), so no blob is looked at twice. */
  upTo: Date;
}

/**
 * Deletes the orphaned audio written in [since, now - graceMs); `since` defaults to the first
 * sweep's lookback before that cutoff.
 */
export async function sweepOrphanAudio(
  store: Store,
  now: Date,
  graceMs = ORPHAN_AUDIO_GRACE_MS,
  since?: Date,
): Promise<SweepResult> {
  const cutoff = new Date(now.getTime() - graceMs);
  const from = since ?? new Date(cutoff.getTime() - FIRST_SWEEP_LOOKBACK_MS);
  await store.audio.dropPartialWrites(cutoff);
  const old = (await store.audio.listWrittenBetween(from, cutoff)).filter((id) =>
    AHEAD_OF_COMMIT.some((prefix) => id.startsWith(prefix)),
  );
  if (old.length === 0) return { swept: [], upTo: cutoff };
  const used = await store.audioInUse(old);
  const swept = old.filter((id) => !used.has(id));
  for (const id of swept) await store.audio.delete(id);
  return { swept, upTo: cutoff };
}
