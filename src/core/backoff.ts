// Retry timing, one formula for every retrying edge: the delay grows by `factor` per consecutive
// failure from `initialDelayMs`, is capped at `maxDelayMs`, and a `jitter` share of it is random
// ("equal jitter" at 0.5), so that peers that failed together do not all retry in the same instant.

export interface BackoffOptions {
  /** The delay after the first failure, before jitter. */
  initialDelayMs: number;
  /** The longest delay; jitter only ever shortens a delay, so this is a hard ceiling. */
  maxDelayMs: number;
  /** Growth per consecutive failure, at least 1 (default 2). */
  factor?: number;
  /** The random share of each delay, 0–1: a delay lies in [d·(1 − jitter), d] (default 0.5). */
  jitter?: number;
  /** Source of randomness, [0, 1] (default Math.random). */
  random?: () => number;
}

// factor ** 64 already passes any cap; a larger exponent would only risk Infinity · 0.
const MAX_EXPONENT = 64;

/** The delay before the next attempt after `failures` (≥ 1) consecutive failures. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const initial = Math.max(0, options.initialDelayMs);
  const max = Math.max(initial, options.maxDelayMs);
  const factor = Math.max(1, options.factor ?? 2);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const random = options.random ?? Math.random;
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, failures - 1));
  const delay = Math.min(max, initial * factor ** exponent);
  return Math.round(delay * (1 - jitter) + delay * jitter * random());
}
