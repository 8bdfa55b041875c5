// Per-source admission of new SIP requests, as Kamailio's pike and ratelimit modules do (README
// "Telephone", docs/security.md "SIP limits"): a token bucket per source address and request class
// (INVITE, REGISTER, SUBSCRIBE, the rest), a share of the transaction table per source, and the
// pike answer to a flood: 503 with Retry-After for the first excess requests, then silence while
// the source keeps flooding, so we never amplify it. Sustained flooding earns an escalating ban.

import { TokenBuckets } from "../../core/rate-limit.ts";
import { sourceKey } from "../../core/source-address.ts";
import { Throttle, type ThrottleOptions } from "../../core/throttle.ts";

export type RequestClass = "invite" | "register" | "subscribe" | "other";

export interface RateBudget {
  /** Requests at once after a quiet spell. */
  burst: number;
  /** Sustained requests per minute. */
  perMinute: number;
}

export interface SourceLimitOptions {
  rates: Record<RequestClass, RateBudget>;
  /** Live server transactions one source may hold, as a share of the table (0–1]. */
  transactionShare: number;
  /** Excess requests of one flood answered with 503 before the source is met with silence. */
  rejectFirst: number;
  /** A source with no excess request for this long starts a new flood (and a new warn line). */
  floodQuietMs: number;
  /** Excess requests within a window that ban the source (all its requests dropped). */
  ban: Omit<ThrottleOptions, "maxKeys">;
  /** Sources tracked at most (buckets, floods, bans each). */
  maxSources: number;
  /** Host addresses exempt from every per-source limit (`sip.trustedProxies`). */
  exempt: readonly string[];
}

export const DEFAULT_SOURCE_LIMITS: SourceLimitOptions = {
  rates: {
    invite: { burst: 20, perMinute: 300 },
    register: { burst: 50, perMinute: 600 },
    subscribe: { burst: 50, perMinute: 600 },
    other: { burst: 200, perMinute: 3000 },
  },
  transactionShare: 0.1,
  rejectFirst: 10,
  floodQuietMs: 30_000,
  ban: {
    maxFailures: 2000,
    windowMs: 60_000,
    banMs: 60_000,
    banFactor: 2,
    maxBanMs: 3600_000,
    forgetMs: 24 * 3600_000,
  },
  maxSources: 100_000,
  exempt: [],
};

/** `admit`: take the request; `reject`: 503 with Retry-After; `drop`: no answer at all. */
export type Admission =
  | { verdict: "admit" }
  | { verdict: "reject" | "drop"; reason: "rate" | "transactions" | "banned" };

export interface ThrottleEvent {
  source: string;
  reason: "rate" | "transactions" | "banned";
  method: string;
}

interface Flood {
  excess: number;
  last: number;
}

export function requestClass(method: string): RequestClass {
  switch (method) {
    case "INVITE":
      return "invite";
    case "REGISTER":
      return "register";
    case "SUBSCRIBE":
      return "subscribe";
    default:
      return "other";
  }
}

export class SourceLimiter {
  readonly #o: SourceLimitOptions;
  readonly #buckets: Record<RequestClass, TokenBuckets>;
  readonly #floods = new Map<string, Flood>();
  readonly #bans: Throttle;
  readonly #exempt: Set<string>;
  readonly #now: () => number;
  /** Called once when a source starts being throttled (the fail2ban line), never per packet. */
  onFloodStart: ((e: ThrottleEvent) => void) | undefined;

  constructor(options: SourceLimitOptions, now: () => number = Date.now) {
    this.#o = options;
    this.#now = now;
    const maxKeys = options.maxSources;
    this.#buckets = {
      invite: new TokenBuckets({ ...options.rates.invite, maxKeys }),
      register: new TokenBuckets({ ...options.rates.register, maxKeys }),
      subscribe: new TokenBuckets({ ...options.rates.subscribe, maxKeys }),
      other: new TokenBuckets({ ...options.rates.other, maxKeys }),
    };
    this.#bans = new Throttle({ ...options.ban, maxKeys }, now);
    this.#exempt = new Set(options.exempt.map((h) => sourceKey(h.replace(/^\[|\]$/g, ""))));
  }

  /** The key a host is counted under (an IPv6 /64 as one source). */
  keyOf(host: string): string {
    return sourceKey(host);
  }

  isExempt(host: string): boolean {
    return this.#exempt.has(sourceKey(host));
  }

  /** Live server transactions one source may hold, out of `serverRoom`. */
  transactionCap(serverRoom: number): number {
    return Math.max(1, Math.floor(serverRoom * this.#o.transactionShare));
  }

  /**
   * Whether a new request from `host` is taken. `held` is the source's live server transactions,
   * `cap` what it may hold (transactionCap).
   */
  admit(host: string, method: string, held: number, cap: number): Admission {
    const key = sourceKey(host);
    if (this.#exempt.has(key)) return { verdict: "admit" };
    const now = this.#now();
    if (!this.#bans.check(key).allowed) return { verdict: "drop", reason: "banned" };
    if (held >= cap) return this.#excess(key, method, "transactions", now);
    const take = this.#buckets[requestClass(method)].take(key, now);
    if (!take.ok) return this.#excess(key, method, "rate", now);
    return { verdict: "admit" };
  }

  /** Sources in a flood now (an excess request within floodQuietMs) or banned. */
  throttledSources(): number {
    const now = this.#now();
    let n = 0;
    for (const f of this.#floods.values()) if (now - f.last < this.#o.floodQuietMs) n++;
    return Math.max(n, this.#bans.banned());
  }

  #excess(key: string, method: string, reason: "rate" | "transactions", now: number): Admission {
    let flood = this.#floods.get(key);
    if (!flood || now - flood.last >= this.#o.floodQuietMs) {
      flood = { excess: 0, last: now };
      this.#remember(key, flood);
      this.onFloodStart?.({ source: key, reason, method });
    }
    flood.excess += 1;
    flood.last = now;
    const ban = this.#bans.fail(key);
    if (!ban.allowed) {
      this.onFloodStart?.({ source: key, reason: "banned", method });
      return { verdict: "drop", reason: "banned" };
    }
    return { verdict: flood.excess <= this.#o.rejectFirst ? "reject" : "drop", reason };
  }

  #remember(key: string, flood: Flood): void {
    this.#floods.delete(key);
    if (this.#floods.size >= this.#o.maxSources) {
      const stalest = this.#floods.keys().next();
      if (!stalest.done) this.#floods.delete(stalest.value);
    }
    this.#floods.set(key, flood);
  }
}
