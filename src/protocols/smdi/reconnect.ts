// Redialling for an SMDI link (GR-283-CORE leaves reconnection to the implementation): exponential
// backoff with jitter, capped, as a small start/stop factory in the manner of xmpp.js reconnect().

export interface BackoffOptions {
  /** First delay after a failed or dropped connection (default 500 ms). */
  initialDelayMs?: number;
  /** Ceiling of any delay, jitter included (default 30 s). */
  maxDelayMs?: number;
  /** Growth per consecutive failure (default 2). */
  factor?: number;
  /** Spread as a fraction of the delay, 0–1: 0.2 gives ±20 % (default 0.2). */
  jitter?: number;
  /** Source of randomness for the jitter, [0, 1) (default Math.random). */
  random?: () => number;
}

/** A timer seam so tests can run the clock themselves. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The delay before attempt `failures + 1`, after `failures` consecutive failures (0-based). */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const initial = Math.max(0, options.initialDelayMs ?? 500);
  const max = Math.max(initial, options.maxDelayMs ?? 30_000);
  const factor = Math.max(1, options.factor ?? 2);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const random = options.random ?? Math.random;
  const base = Math.min(max, initial * factor ** Math.min(failures, 64));
  const spread = base * jitter * (2 * random() - 1);
  return Math.round(Math.min(max, Math.max(0, base + spread)));
}

export interface Reconnect {
  /** Arms the next attempt after the current backoff delay; returns that delay. */
  schedule(): number;
  /** The connection came up: the next failure starts again from the initial delay. */
  reset(): void;
  /** Cancels a pending attempt; schedule() may arm a new one. */
  stop(): void;
  readonly pending: boolean;
}

export function reconnect(deps: {
  attempt: () => void;
  backoff?: BackoffOptions;
  timers?: Timers;
}): Reconnect {
  const timers = deps.timers ?? realTimers;
  let failures = 0;
  let handle: unknown;
  let pending = false;

  const stop = (): void => {
    if (!pending) return;
    timers.clearTimeout(handle);
    pending = false;
  };

  return {
    schedule() {
      stop();
      const delay = backoffDelay(failures, deps.backoff);
      failures++;
      pending = true;
      handle = timers.setTimeout(() => {
        pending = false;
        deps.attempt();
      }, delay);
      return delay;
    },
    reset() {
      failures = 0;
    },
    stop,
    get pending() {
      return pending;
    },
  };
}
