// The one wait-until of the test suite: polls a probe until it answers, or fails naming what was
// awaited. Tests wait on things another process or the event loop does, never on fixed sleeps.

export interface UntilOptions {
  /** How long to keep asking, ms (default 5000). */
  timeoutMs?: number;
  /** Pause between two asks, ms (default 10); 0 yields to the event loop only (setImmediate). */
  intervalMs?: number;
}

/** What a probe answers while the awaited thing has not happened yet. */
type NotYet = false | undefined | null | 0 | "";

export class UntilTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = "UntilTimeoutError";
  }
}

const pause = (ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

/**
 * Asks `probe` until it answers something truthy and resolves with that answer (so a probe can
 * hand back what it found). `what` names the awaited thing in the error. A probe that throws
 * fails the wait at once: an assertion inside a probe is not retried.
 */
export async function until<T>(
  what: string,
  probe: () => T | NotYet | Promise<T | NotYet>,
  options: UntilOptions | number = {},
): Promise<Exclude<T, NotYet>> {
  const { timeoutMs = 5000, intervalMs = 10 } =
    typeof options === "number" ? { timeoutMs: options } : options;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer) return answer as Exclude<T, NotYet>;
    // One last ask after the deadline, so a slow event loop does not fail a wait that succeeded.
    if (Date.now() > end) {
      const last = await probe();
      if (last) return last as Exclude<T, NotYet>;
      throw new UntilTimeoutError(what, timeoutMs);
    }
    await pause(intervalMs);
  }
}
