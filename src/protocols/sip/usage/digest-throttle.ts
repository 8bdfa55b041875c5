// Wrong SIP digests counted per source address and per account (the digest username), with
// escalating bans (core/throttle.ts, as Kamailio's pike and fail2ban do): the SIP side of the
// login throttle described in docs/security.md "SIP digest throttling".

import type { Logger } from "pino";
import { Throttle, type ThrottleOptions } from "../../../core/throttle.ts";

export interface DigestThrottleOptions {
  source: Omit<ThrottleOptions, "maxKeys">;
  account: Omit<ThrottleOptions, "maxKeys">;
  /** Sources and accounts tracked at most, each. */
  maxKeys: number;
  logger?: Logger;
  now?: () => number;
}

export type DigestVerdict =
  | { allowed: true }
  | { allowed: false; scope: "source" | "account"; retryAfterMs: number };

/** Usernames are attacker-chosen: bounded before they become keys or log fields. */
const MAX_ACCOUNT_CHARS = 128;

export class DigestThrottle {
  readonly #bySource: Throttle;
  readonly #byAccount: Throttle;
  readonly #logger: Logger | undefined;

  constructor(options: DigestThrottleOptions) {
    const now = options.now ?? Date.now;
    this.#bySource = new Throttle({ ...options.source, maxKeys: options.maxKeys }, now);
    this.#byAccount = new Throttle({ ...options.account, maxKeys: options.maxKeys }, now);
    this.#logger = options.logger;
  }

  /**
   * Whether `source` may try `account` now. A banned source is refused for every account; a
   * banned account only for sources that have failed lately, so its owner, from a clean
   * address, still gets in while someone else guesses.
   */
  check(source: string, account: string | undefined): DigestVerdict {
    const s = this.#bySource.check(source);
    if (!s.allowed) return { allowed: false, scope: "source", retryAfterMs: s.retryAfterMs };
    if (account === undefined) return { allowed: true };
    const a = this.#byAccount.check(accountKey(account));
    if (!a.allowed && this.#bySource.failures(source) > 0) {
      return { allowed: false, scope: "account", retryAfterMs: a.retryAfterMs };
    }
    return { allowed: true };
  }

  /** Counts a wrong digest; logs one `warn` line when it starts a ban (fail2ban reads it). */
  fail(source: string, account: string | undefined): DigestVerdict {
    let accountBan: number | undefined;
    if (account !== undefined) {
      const key = accountKey(account);
      const before = this.#byAccount.check(key).allowed;
      const after = this.#byAccount.fail(key);
      if (before && !after.allowed) accountBan = after.retryAfterMs;
    }
    const before = this.#bySource.check(source).allowed;
    const after = this.#bySource.fail(source);
    const shown = account === undefined ? undefined : accountKey(account);
    if (accountBan !== undefined) {
      this.#logger?.warn(
        { source, account: shown, scope: "account", banMs: accountBan },
        "sip digest ban started",
      );
    }
    if (before && !after.allowed) {
      this.#logger?.warn(
        { source, account: shown, scope: "source", banMs: after.retryAfterMs },
        "sip digest ban started",
      );
    }
    return after.allowed ? this.check(source, account) : { ...after, scope: "source" };
  }

  /** A correct digest clears the source's count (its ban history stays). */
  succeed(source: string): void {
    this.#bySource.succeed(source);
  }

  /** Sources and accounts banned now (for metrics). */
  banned(): { sources: number; accounts: number } {
    return { sources: this.#bySource.banned(), accounts: this.#byAccount.banned() };
  }
}

function accountKey(account: string): string {
  return account.slice(0, MAX_ACCOUNT_CHARS);
}
