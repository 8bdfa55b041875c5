// Redialling for an SMDI link (GR-283-CORE leaves reconnection to the implementation): exponential
// backoff with jitter, capped, as a small start/stop factory in the manner of xmpp.js reconnect().

import { type BackoffOptions, backoffDelay } from "../../core/backoff.ts";

/** Redial timing (core/backoff.ts); what is left out is 500 ms doubling to 30 s, 20 % jitter. */
export type RedialBackoff = Partial<BackoffOptions>;

const REDIAL_DEFAULTS: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.2 };

/** A timer seam so tests can run the clock themselves. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

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
  backoff?: RedialBackoff;
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
      failures++;
      const delay = backoffDelay(failures, { ...REDIAL_DEFAULTS, ...deps.backoff });
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
