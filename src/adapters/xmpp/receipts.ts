// XEP-0184 message delivery receipts for the XMPP adapter: each sent chat waits for the client's
// `<received id=…/>` or an error bounce (RFC 6120 §8.3). A client that never acked is counted
// delivered after a short wait; one that has acked before is expected to ack again, so its
// silence means the message may be lost and the delivery is retried (same id: the client can
// drop the duplicate).

import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { StanzaError } from "../../protocols/xmpp/index.ts";

export interface ReceiptOptions {
  /** Wait for a client not (yet) known to send receipts, then count the message delivered. */
  waitMs: number;
  /** Wait for a client known to send receipts, then retry the delivery. */
  timeoutMs: number;
}

interface Pending {
  bare: string;
  settle: (error?: Error) => void;
}

export class Receipts {
  readonly #pending = new Map<string, Pending>();
  /** Bare JIDs that have sent a receipt; bounded, oldest forgotten first. */
  readonly #acking = new Set<string>();

  constructor(readonly options: ReceiptOptions) {}

  /** Whether `bare` has acked a message before (and not missed one since). */
  acks(bare: string): boolean {
    return this.#acking.has(bare);
  }

  /**
   * Registers the stanza id before it is sent; the promise resolves on a receipt (or after
   * waitMs for a client that never acked) and rejects on a bounce, a missed receipt or cancel().
   */
  expect(id: string, bare: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const acking = this.#acking.has(bare);
      const timer = setTimeout(
        () => {
          if (!acking) return done();
          // the client changed software or lost the message: the next try waits the short way
          this.#acking.delete(bare);
          done(new DeliveryError(`xmpp ${bare} sent no receipt in ${this.options.timeoutMs} ms`));
        },
        acking ? this.options.timeoutMs : this.options.waitMs,
      );
      timer.unref?.();
      const done = (error?: Error) => {
        clearTimeout(timer);
        if (this.#pending.get(id)?.settle === done) this.#pending.delete(id);
        if (error) reject(error);
        else resolve();
      };
      this.#pending.set(id, { bare, settle: done });
    });
  }

  /** Forgets a stanza that could not be sent. */
  cancel(id: string): void {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    p?.settle();
  }

  /** A `<received id>` from `fromBare`; a receipt from anyone else is ignored. */
  received(id: string, fromBare: string): void {
    const p = this.#pending.get(id);
    if (!p || p.bare !== fromBare) return;
    this.#acking.add(fromBare);
    if (this.#acking.size > 10_000) {
      const oldest = this.#acking.values().next().value;
      if (oldest !== undefined) this.#acking.delete(oldest);
    }
    p.settle();
  }

  /**
   * A bounce for stanza `id`: unavailable conditions hold the delivery (the outbox waits for
   * presence), anything else is a failure, permanent for type="cancel". Returns the bare JID.
   */
  bounced(id: string, error: StanzaError): string | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    if (error.condition === "service-unavailable" || error.condition === "recipient-unavailable")
      p.settle(new TargetUnavailableError(`xmpp ${p.bare}: ${error.condition}`));
    else p.settle(new DeliveryError(`xmpp ${p.bare}: ${error.message}`, error.type === "cancel"));
    return p.bare;
  }

  /**
   * The stream to the server is gone: whether the messages under way arrived is unknown, so
   * each is retried rather than counted (at least once; the stanza id stays the same).
   */
  lost(reason: string): void {
    for (const p of [...this.#pending.values()])
      p.settle(new DeliveryError(`xmpp stream lost before ${p.bare} confirmed: ${reason}`));
    this.#pending.clear();
  }
}
