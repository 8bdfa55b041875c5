// Serial-number arithmetic for RTP's 16-bit sequence numbers and 32-bit timestamps (RFC 3550
// §5.1, appendix A.1; comparison as in RFC 1982): both wrap, so order is decided by distance.

const SEQ_MOD = 0x10000;
const TS_MOD = 0x100000000;

/** a − b as the shortest signed distance, in [-32768, 32767]: positive when a is newer. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) << 16) >> 16) | 0;
}

export function seqLessThan(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** seq + n, wrapped to 16 bits (n may be negative). */
export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % SEQ_MOD) + SEQ_MOD) % SEQ_MOD;
}

export function seqNext(seq: number): number {
  return (seq + 1) & 0xffff;
}

/** a − b as the shortest signed distance in 32-bit timestamp space: positive when a is later. */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function tsLessThan(a: number, b: number): boolean {
  return tsDiff(a, b) < 0;
}

/** ts + n, wrapped to 32 bits unsigned (n may be negative). */
export function tsAdd(ts: number, n: number): number {
  return (((ts + n) % TS_MOD) + TS_MOD) % TS_MOD;
}

/**
 * Turns wrapping 16-bit sequence numbers into a monotonic count (cycles × 65536 + seq), the
 * "extended highest sequence number" of RFC 3550 §6.4.1. Each value is placed at the shortest
 * distance from the highest seen, so late (reordered) packets get their old cycle back.
 */
export class SequenceUnwrapper {
  #highest = -1;

  /**
   * The extended form of `seq`; the first value seeds the unwrapper. A straggler from before
   * the seed comes back negative rather than a cycle ahead.
   */
  unwrap(seq: number): number {
    if (this.#highest < 0) {
      this.#highest = seq & 0xffff;
      return this.#highest;
    }
    const extended = this.#highest + seqDiff(seq, this.#highest & 0xffff);
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }

  /** The highest extended value seen, or -1 before the first. */
  get highest(): number {
    return this.#highest;
  }

  reset(): void {
    this.#highest = -1;
  }
}

/** The same for 32-bit timestamps: a monotonic count of clock ticks since the stream began. */
export class TimestampUnwrapper {
  #highest = -1;

  unwrap(ts: number): number {
    if (this.#highest < 0) {
      this.#highest = ts >>> 0;
      return this.#highest;
    }
    const extended = this.#highest + tsDiff(ts, this.#highest % TS_MOD);
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }

  get highest(): number {
    return this.#highest;
  }

  reset(): void {
    this.#highest = -1;
  }
}
