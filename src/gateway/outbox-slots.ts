// The outbox worker's delivery slots, shared with the receiver: a delivery can be claimed in
// the very transaction that stores its communication when a slot is free (no separate claim
// commit, no read-back), and one target never holds more than its share of the slots.
//
// A delivery whose message is written and which only waits for the target's confirmation (an
// XEP-0184 receipt, a web client's ack) gives its slot back and waits in a place of its own, so
// a client's round trip bounds how many messages are under way to it, not how fast the outbox
// works; a target that stops confirming fills only its own waiting places.

import { shareOf } from "../core/delivery.ts";
import type { TargetCap } from "../store/types.ts";

export interface OutboxSlotOptions {
  concurrency: number;
  /** Default a quarter of `concurrency`, at least 2. */
  perTargetConcurrency?: number | undefined;
  /** Deliveries to one target written and waiting for its confirmation (default 64; 0: none). */
  perTargetAwaiting?: number | undefined;
  leaseMs: number;
}

/** Waiting places of the whole node, per slot: bounds the memory a flood of slow clients takes. */
const AWAITING_PER_SLOT = 16;
/** Most shares whose waiting deliveries a claim is told about; any others count as sending. */
const AWAITING_SHARES_TOLD = 200;

export class OutboxSlots {
  readonly concurrency: number;
  readonly perTarget: number;
  readonly perTargetAwaiting: number;
  readonly leaseMs: number;
  #taken = 0;
  readonly #byTarget = new Map<string, number>();
  #awaiting = 0;
  readonly #awaitingBy = new Map<string, number>();

  constructor(options: OutboxSlotOptions) {
    this.concurrency = options.concurrency;
    this.perTarget =
      options.perTargetConcurrency ?? Math.max(2, Math.floor(options.concurrency / 4));
    this.perTargetAwaiting = options.perTargetAwaiting ?? 64;
    this.leaseMs = options.leaseMs;
  }

  get free(): number {
    return Math.max(0, this.concurrency - this.#taken);
  }

  /** A slot for `target` if one is free and the target is under its share (core shareOf). */
  take(target: string): boolean {
    if (this.#taken >= this.concurrency || this.full(target)) return false;
    this.#count(this.#byTarget, target, 1);
    this.#taken++;
    return true;
  }

  /** A slot for a row the store has already leased to us (its claim counted the share). */
  hold(target: string): void {
    this.#count(this.#byTarget, target, 1);
    this.#taken++;
  }

  /**
   * Whether `target` can take no more: its sending share is used up, or its sending and
   * waiting deliveries together fill both. A claim now passes over its due rows.
   */
  full(target: string): boolean {
    const share = shareOf(target);
    const sending = this.#byTarget.get(share) ?? 0;
    const waiting = this.#awaitingBy.get(share) ?? 0;
    return (
      sending >= this.perTarget || sending + waiting >= this.perTarget + this.perTargetAwaiting
    );
  }

  give(target: string): void {
    this.#count(this.#byTarget, target, -1);
    this.#taken--;
  }

  /**
   * The delivery in `target`'s slot is written and waits for the target's confirmation: its
   * slot is given back when a waiting place is free (true), else it keeps the slot (false).
   */
  await(target: string): boolean {
    const share = shareOf(target);
    if ((this.#awaitingBy.get(share) ?? 0) >= this.perTargetAwaiting) return false;
    if (this.#awaiting >= this.concurrency * AWAITING_PER_SLOT) return false;
    this.give(target);
    this.#count(this.#awaitingBy, target, 1);
    this.#awaiting++;
    return true;
  }

  /** A waiting delivery ended (confirmed, timed out or failed). */
  settle(target: string): void {
    this.#count(this.#awaitingBy, target, -1);
    this.#awaiting--;
  }

  /**
   * What a claim may take per target, counting this node's waiting deliveries apart. The live
   * counts are handed over, not a copy, while they are few: the claim reads them at once.
   */
  cap(): TargetCap {
    const awaitingHere =
      this.#awaitingBy.size <= AWAITING_SHARES_TOLD
        ? this.#awaitingBy
        : new Map([...this.#awaitingBy].sort((a, b) => b[1] - a[1]).slice(0, AWAITING_SHARES_TOLD));
    return { sending: this.perTarget, awaiting: this.perTargetAwaiting, awaitingHere };
  }

  #count(counts: Map<string, number>, target: string, by: 1 | -1): void {
    const share = shareOf(target);
    const n = (counts.get(share) ?? 0) + by;
    if (n > 0) counts.set(share, n);
    else counts.delete(share);
  }
}
