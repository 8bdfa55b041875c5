// Nonce-count replay protection (RFC 7616 §3.3 "nc", §5.5): remembers which nc values each nonce
// has been used with, so a captured request cannot be played again while its nonce is still fresh.
// Memory is bounded: old nonces are forgotten first, and a nonce used very often only accepts
// counts above the highest seen.

const MAX_NONCES = 10_000;
const MAX_COUNTS_PER_NONCE = 64;

interface Entry {
  expiresAt: number;
  /** Every count at or below this is refused; raised when `seen` is compacted. */
  floor: number;
  max: number;
  seen: Set<number>;
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

  /** Records `nc` for `nonce`; false when it was used before (a replay). */
  use(nonce: string, nc: number, expiresAt: number, now: number): boolean {
    this.#prune(now);
    let entry = this.#entries.get(nonce);
    if (entry === undefined) {
      entry = { expiresAt, floor: 0, max: nc, seen: new Set([nc]) };
      this.#entries.set(nonce, entry);
      return true;
    }
    if (nc <= entry.floor || entry.seen.has(nc)) return false;
    if (entry.seen.size >= MAX_COUNTS_PER_NONCE) {
      // Compact: from now on only counts above the highest seen are accepted.
      entry.floor = entry.max;
      entry.seen.clear();
      if (nc <= entry.floor) return false;
    }
    entry.seen.add(nc);
    if (nc > entry.max) entry.max = nc;
    return true;
  }

  #prune(now: number): void {
    // Insertion order is roughly issue order, so expired entries gather at the front.
    for (const [nonce, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size < this.#maxNonces) break;
      this.#entries.delete(nonce);
    }
  }
}
