// Nonce-count replay protection (RFC 7616 §3.3 "nc", §5.5): each nonce must be used with a
// strictly increasing count, so a captured request cannot be played again — not even with other
// headers (Contact is outside the digest) — while its nonce is still fresh. Memory is bounded:
// one number per nonce, expired nonces are forgotten, and past `maxNonces` the oldest go first
// (a forgotten nonce's next use starts afresh, so the bound must cover a nonce lifetime's worth).

const MAX_NONCES = 100_000;

interface Entry {
  expiresAt: number;
  /** The highest count accepted; only larger ones pass. */
  max: number;
}

export class NonceCountTracker {
  readonly #entries = new Map<string, Entry>();
  readonly #maxNonces: number;

  constructor(maxNonces = MAX_NONCES) {
    this.#maxNonces = maxNonces;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Records `nc` for `nonce`; false when it is not above every count used before (a replay). */
  use(nonce: string, nc: number, expiresAt: number, now: number): boolean {
    this.#prune(now);
    const entry = this.#entries.get(nonce);
    if (entry === undefined) {
      this.#entries.set(nonce, { expiresAt, max: nc });
      return true;
    }
    if (nc <= entry.max) return false;
    entry.max = nc;
    return true;
  }

  #prune(now: number): void {
    // Insertion order is issue order of first use, so expired entries gather at the front.
    for (const [nonce, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size < this.#maxNonces) break;
      this.#entries.delete(nonce);
    }
  }
}
