// Retry timing for the outbox: exponential backoff with "equal jitter" (half fixed, half random),
// so that a relay that comes back is not hit by every retry in the same second.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt `attempt + 1`, where `attempt` (≥ 1) attempts have already failed. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
