// Voicemail PIN lockout (docs/security.md "Voicemail PINs"): wrong PINs count per mailbox across
// every call, parallel or not, and per caller source; either reaching its limit locks for a
// growing time (the escalating bans of ./throttle.ts). The mailbox's state goes through a store
// port so a lock outlives a restart; the per-source state is memory only (it is a first line).

import {
  isForgotten,
  newThrottleEntry,
  recordFailure,
  Throttle,
  type ThrottleEntry,
  type ThrottleOptions,
} from "./throttle.ts";

/** A mailbox's throttle state plus the callers whose wrong PINs are counted in it. */
export interface PinLockRecord extends ThrottleEntry {
  /** Caller numbers (or source addresses when a call has none) of the current window. */
  callers: string[];
}

export interface PinLockStore {
  get(mailbox: string): Promise<PinLockRecord | undefined>;
  put(mailbox: string, record: PinLockRecord): Promise<void>;
  delete(mailbox: string): Promise<void>;
}

/** A `throttleRule` from the config: the throttle's options without its memory bound. */
export type PinLockRule = Omit<ThrottleOptions, "maxKeys">;

export interface PinLockoutOptions {
  /** Wrong PINs per mailbox, all callers together (`voicemail.pinLockout`). */
  mailbox: PinLockRule;
  /** Wrong PINs per caller source, all mailboxes together (`voicemail.pinSourceLockout`). */
  source: PinLockRule;
}

export type PinLockScope = "mailbox" | "source";

export type PinCheck = { locked: false } | { locked: true; scope: PinLockScope; until: Date };

/** The caller behind an attempt: `source` is where the call came from (an IP address). */
export interface PinAttempt {
  source: string;
  /** The caller's number, when the call carried one. */
  caller?: string;
}

/** What a wrong PIN led to; `lockedNow` is set only by the failure that began a mailbox lock. */
export interface PinFailure {
  check: PinCheck;
  lockedNow?: { failures: number; callers: string[]; until: Date };
  /** Set only by the failure that began a source lock. */
  sourceLockedNow?: { until: Date };
}

/** Distinct callers remembered per window; the notice names these, not an unbounded list. */
const MAX_CALLERS = 10;

export class PinLockout {
  readonly #sources: Throttle;
  /** Read-modify-write of one mailbox's record, one after another (parallel calls). */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly options: PinLockoutOptions & { maxSources?: number },
    private readonly store: PinLockStore,
    private readonly now: () => number = Date.now,
  ) {
    this.#sources = new Throttle(
      { ...options.source, maxKeys: options.maxSources ?? 100_000 },
      now,
    );
  }

  /** Whether a PIN may be tried for `mailbox` by this caller now. The mailbox lock comes first. */
  async check(mailbox: string, attempt: PinAttempt): Promise<PinCheck> {
    const record = await this.#serial(mailbox, () => this.#load(mailbox));
    const now = this.now();
    if (record && record.bannedUntil > now) {
      return { locked: true, scope: "mailbox", until: new Date(record.bannedUntil) };
    }
    const source = this.#sources.check(attempt.source);
    if (!source.allowed) {
      return { locked: true, scope: "source", until: new Date(now + source.retryAfterMs) };
    }
    return { locked: false };
  }

  /** Counts a wrong PIN against the mailbox and the caller's source. */
  async fail(mailbox: string, attempt: PinAttempt): Promise<PinFailure> {
    const failure: PinFailure = { check: { locked: false } };
    const sourceWasBanned = !this.#sources.check(attempt.source).allowed;
    const source = this.#sources.fail(attempt.source);
    if (!source.allowed && !sourceWasBanned) {
      failure.sourceLockedNow = { until: new Date(this.now() + source.retryAfterMs) };
    }
    await this.#serial(mailbox, async () => {
      const now = this.now();
      const record = (await this.#load(mailbox)) ?? { ...newThrottleEntry(now), callers: [] };
      const who = attempt.caller ?? attempt.source;
      if (now - record.windowStart >= this.options.mailbox.windowMs) record.callers = [];
      if (!record.callers.includes(who) && record.callers.length < MAX_CALLERS) {
        record.callers.push(who);
      }
      if (recordFailure(record, this.options.mailbox, now)) {
        failure.lockedNow = {
          failures: this.options.mailbox.maxFailures,
          callers: record.callers,
          until: new Date(record.bannedUntil),
        };
        record.callers = [];
      }
      await this.store.put(mailbox, record);
      if (record.bannedUntil > now) {
        failure.check = { locked: true, scope: "mailbox", until: new Date(record.bannedUntil) };
      }
    });
    if (!failure.check.locked && !source.allowed) {
      failure.check = {
        locked: true,
        scope: "source",
        until: new Date(this.now() + source.retryAfterMs),
      };
    }
    return failure;
  }

  /**
   * A right PIN clears the source's count. The mailbox's count stays until its window ends: an
   * owner who gets in between an attacker's guesses must not reset the attacker's budget.
   */
  succeed(_mailbox: string, attempt: PinAttempt): void {
    this.#sources.succeed(attempt.source);
  }

  /** The mailbox's record, or undefined (and deleted) when it is quiet long enough to forget. */
  async #load(mailbox: string): Promise<PinLockRecord | undefined> {
    const record = await this.store.get(mailbox);
    if (record && isForgotten(record, this.options.mailbox, this.now())) {
      await this.store.delete(mailbox);
      return undefined;
    }
    return record;
  }

  #serial<T>(mailbox: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(mailbox) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(mailbox, settled);
    void settled.then(() => {
      if (this.#queues.get(mailbox) === settled) this.#queues.delete(mailbox);
    });
    return next;
  }
}
