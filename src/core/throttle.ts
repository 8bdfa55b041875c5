// Failure throttling with escalating bans (as fail2ban's bantime.increment and Kamailio's pike
// do): per key (a source address, an account), failures are counted in a window; reaching the
// limit bans the key, each further ban lasting `factor` times the one before up to `maxBanMs`.
// Pure and clock-injected so that HTTP login, SIP digest and PIN entry can share it; memory is
// bounded by `maxKeys` (the least recently touched unbanned keys are forgotten first).

export interface ThrottleOptions {
  /** Failures within `windowMs` that ban the key. */
  maxFailures: number;
  windowMs: number;
  /** The first ban; each next one is `banFactor` times longer, capped at `maxBanMs`. */
  banMs: number;
  banFactor: number;
  maxBanMs: number;
  /** A key with no failure for this long starts afresh (its ban history is forgotten). */
  forgetMs: number;
  /** Keys tracked at most; beyond it the stalest are dropped. */
  maxKeys: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One key's state; exported so a persistent variant (PIN lockout) can keep it in a store. */
export interface ThrottleEntry {
  /** Failures in the current window, and when it opened. */
  failures: number;
  windowStart: number;
  /** Bans so far (the next one's length grows with it) and when the current one ends. */
  strikes: number;
  bannedUntil: number;
  lastFailure: number;
}

/** Entries looked at from the stale end when making room, before the very stalest is dropped. */
const EVICTION_SCAN = 64;

export class Throttle {
  readonly #entries = new Map<string, ThrottleEntry>();

  constructor(
    readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (options.maxFailures < 1) throw new RangeError("throttle: maxFailures must be at least 1");
    if (options.maxKeys < 1) throw new RangeError("throttle: maxKeys must be at least 1");
  }

  /** Whether `key` may try now; a banned key learns how long it must wait. */
  check(key: string): ThrottleVerdict {
    const entry = this.#live(key);
    if (!entry) return { allowed: true };
    const wait = entry.bannedUntil - this.now();
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** Failures counted against `key` in its current window (0 when unknown or banned out). */
  failures(key: string): number {
    return this.#live(key)?.failures ?? 0;
  }

  /** Records a failure; the verdict is what the key's next try meets. */
  fail(key: string): ThrottleVerdict {
    const now = this.now();
    let entry = this.#live(key);
    if (!entry) {
      entry = newThrottleEntry(now);
      this.#makeRoom();
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    recordFailure(entry, this.options, now);
    return this.check(key);
  }

  /** A success clears the key's failure count; a ban in force and its history stay. */
  succeed(key: string): void {
    const entry = this.#live(key);
    if (!entry) return;
    entry.failures = 0;
    if (entry.strikes === 0) this.#entries.delete(key);
  }

  /** How many keys are tracked (for metrics and the memory bound's test). */
  get size(): number {
    return this.#entries.size;
  }

  /** Keys banned now. */
  banned(): number {
    const now = this.now();
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.bannedUntil > now) n++;
    return n;
  }

  #live(key: string): ThrottleEntry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (isForgotten(entry, this.options, now)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops one entry when full: the stalest unbanned one near the stale end, else the stalest. */
  #makeRoom(): void {
    if (this.#entries.size < this.options.maxKeys) return;
    const now = this.now();
    let scanned = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.bannedUntil <= now) {
        this.#entries.delete(key);
        return;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    const stalest = this.#entries.keys().next();
    if (!stalest.done) this.#entries.delete(stalest.value);
  }
}

/** A fresh entry for a key's first failure. */
export function newThrottleEntry(now: number): ThrottleEntry {
  return { failures: 0, windowStart: now, strikes: 0, bannedUntil: 0, lastFailure: now };
}

/** Whether a key's state may be dropped: not banned, and quiet for `forgetMs`. */
export function isForgotten(
  entry: ThrottleEntry,
  options: Pick<ThrottleOptions, "forgetMs">,
  now: number,
): boolean {
  return entry.bannedUntil <= now && now - entry.lastFailure >= options.forgetMs;
}

/**
 * Counts one failure into `entry` (mutated): a window older than `windowMs` restarts; reaching
 * `maxFailures` outside a ban starts the next, longer ban. True when this failure began a ban.
 */
export function recordFailure(
  entry: ThrottleEntry,
  options: Omit<ThrottleOptions, "maxKeys">,
  now: number,
): boolean {
  if (now - entry.windowStart >= options.windowMs) {
    entry.failures = 0;
    entry.windowStart = now;
  }
  entry.failures += 1;
  entry.lastFailure = now;
  if (entry.failures < options.maxFailures || entry.bannedUntil > now) return false;
  const { banMs, banFactor, maxBanMs } = options;
  const length = Math.min(maxBanMs, banMs * banFactor ** entry.strikes);
  entry.strikes += 1;
  entry.bannedUntil = now + length;
  entry.failures = 0;
  entry.windowStart = now;
  return true;
}
