// How long a voicemail message is kept (README "Retention and erasure"): the configuration's
// `voicemail.retentionDays`, or a profile's own shorter `voicemail.retentionDays`. Pure rules; the
// sweep that applies them is gateway/voicemail-retention.ts.

import { ValidationError } from "./errors.ts";
import type { Profile } from "./profile.ts";

export const DAY_MS = 24 * 3600_000;

/**
 * A profile may keep messages for less time than the operator's limit, never longer: a longer
 * value is refused naming the field rather than clamped, so the user is never told a period that
 * is not the one applied.
 */
export function assertRetentionWithin(profile: Profile, systemDays: number | undefined): void {
  const days = profile.voicemail?.retentionDays;
  if (days === undefined || systemDays === undefined || days <= systemDays) return;
  throw new ValidationError(
    "voicemail.retentionDays",
    `at most ${systemDays} days (voicemail.retentionDays of the configuration)`,
  );
}

/**
 * The days a user's messages are kept: the shorter of the two limits. A profile's value longer
 * than the configuration's (the operator shortened it since) yields the configuration's.
 */
export function retentionDaysOf(
  profile: Pick<Profile, "voicemail">,
  systemDays: number | undefined,
): number | undefined {
  const own = profile.voicemail?.retentionDays;
  if (own === undefined) return systemDays;
  return systemDays === undefined ? own : Math.min(own, systemDays);
}

/** Messages received before this instant have expired. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
