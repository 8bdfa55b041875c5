// Token buckets per key (a user id): `burst` sends at once, refilled at `perMinute`. Pure logic
// with the clock passed in; the web hub and POST /messages share one (docs/security.md
// "Connection limits").

export interface TokenBucketOptions {
  /** Sends allowed at once after a quiet spell. */
  burst: number;
  /** Sustained sends per minute. */
  perMinute: number;
  /** Buckets kept; past it, full (idle) buckets are dropped, which forgets nothing they hold. */
  maxKeys?: number;
}

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: TokenBucketOptions) {
    this.#burst = Math.max(1, opts.burst);
    this.#perMs = Math.max(opts.perMinute, 0) / 60_000;
    this.#maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Takes one token for `key`, or says how long until one is there. */
  take(key: string, now = Date.now()): Take {
    const bucket = this.#refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const retryAfterMs =
      this.#perMs > 0 ? Math.ceil((1 - bucket.tokens) / this.#perMs) : Number.POSITIVE_INFINITY;
    return { ok: false, retryAfterMs };
  }

  #refilled(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#prune(now);
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + elapsed * this.#perMs);
    bucket.at = now;
    return bucket;
  }

  #prune(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
  }
}
