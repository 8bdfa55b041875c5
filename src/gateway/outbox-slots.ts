// The outbox worker's delivery slots, shared with the receiver: a delivery can be claimed in
// the very transaction that stores its communication when a slot is free (no separate claim
// commit, no read-back), and one target never holds more than its share of the slots.

import { shareOf } from "../core/delivery.ts";

export interface OutboxSlotOptions {
  concurrency: number;
  /** Default a quarter of `concurrency`, at least 2. */
  perTargetConcurrency?: number | undefined;
  leaseMs: number;
}

export class OutboxSlots {
  readonly concurrency: number;
  readonly perTarget: number;
  readonly leaseMs: number;
  #taken = 0;
  readonly #byTarget = new Map<string, number>();

  constructor(options: OutboxSlotOptions) {
    this.concurrency = options.concurrency;
    this.perTarget =
      options.perTargetConcurrency ?? Math.max(2, Math.floor(options.concurrency / 4));
    this.leaseMs = options.leaseMs;
  }

  get free(): number {
    return Math.max(0, this.concurrency - this.#taken);
  }

  /** A slot for `target` if one is free and the target is under its share (core shareOf). */
  take(target: string): boolean {
    if (this.#taken >= this.concurrency) return false;
    if ((this.#byTarget.get(shareOf(target)) ?? 0) >= this.perTarget) return false;
    this.#count(target, 1);
    return true;
  }

  /** A slot for a row the store has already leased to us (its claim counted the share). */
  hold(target: string): void {
    this.#count(target, 1);
  }

  /** Whether `target`'s share is used up: a claim now passes over its due rows. */
  full(target: string): boolean {
    return (this.#byTarget.get(shareOf(target)) ?? 0) >= this.perTarget;
  }

  give(target: string): void {
    this.#count(target, -1);
  }

  #count(target: string, by: 1 | -1): void {
    this.#taken += by;
    const share = shareOf(target);
    const n = (this.#byTarget.get(share) ?? 0) + by;
    if (n > 0) this.#byTarget.set(share, n);
    else this.#byTarget.delete(share);
  }
}
