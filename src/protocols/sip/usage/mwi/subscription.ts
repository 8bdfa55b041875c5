// One message-summary subscription on the notifier side (RFC 6665 §4.2.2, §4.1.3): its dialog,
// its expiry timer and its NOTIFYs, sent one at a time so that a burst of changes collapses into
// the latest state, and a NOTIFY answered 481/408 or lost ends the subscription.

import type { Logger } from "pino";
import type { Dialog } from "../../dialog/dialog.ts";
import { type SipEndpoint, SipTimeoutError, SipTransportError } from "../../endpoint.ts";
import { eventHeader, SUMMARY_TYPE } from "./request.ts";

/** RFC 6665 §4.1.3 reason codes we use when a subscription ends. */
export type TerminationReason = "timeout" | "deactivated" | "noresource" | "rejected";

/** Why a subscription is gone, for logs and the onEnded hook. */
export type EndCause = TerminationReason | "notify-failed";

export interface SubscriptionContext {
  endpoint: SipEndpoint;
  /** Called once when the subscription ends, before any final NOTIFY is sent. */
  onEnded(sub: MwiSubscription, cause: EndCause): void;
  logger?: Logger;
}

export class MwiSubscription {
  #expiresAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #latest: Buffer | undefined;
  #lastBody: Buffer | undefined;
  #chain: Promise<void> | undefined;
  #ended = false;

  constructor(
    readonly dialog: Dialog,
    readonly userId: string,
    readonly eventId: string | undefined,
    private readonly ctx: SubscriptionContext,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** The body of the last NOTIFY sent, to repeat when fresh counts are unavailable. */
  get lastBody(): Buffer | undefined {
    return this.#lastBody;
  }

  /** (Re)starts the subscription's lifetime; without a refresh it ends with reason=timeout. */
  extend(seconds: number): void {
    if (this.#ended) return;
    clearTimeout(this.#timer);
    this.#expiresAt = Date.now() + seconds * 1000;
    this.#timer = setTimeout(() => void this.terminate("timeout"), seconds * 1000);
    this.#timer.unref();
  }

  /**
   * Queues a NOTIFY with this body. While one is in flight only the newest body waits behind it
   * (§4.2.2: one NOTIFY at a time per subscription); resolves when that body has been answered.
   */
  notify(body: Buffer): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.#latest = body;
    this.#chain ??= this.#drain();
    return this.#chain;
  }

  /** Ends the subscription with a final NOTIFY (terminated;reason=…) carrying the last state. */
  async terminate(reason: TerminationReason, body?: Buffer): Promise<void> {
    if (this.#ended) return;
    this.#finish(reason);
    // Let a NOTIFY already on the wire be answered first, so the final one is also the last.
    await this.#chain;
    await this.#send(`terminated;reason=${reason}`, body ?? this.#lastBody);
  }

  /** Ends it without telling the subscriber (it is gone, or we are shutting down hard). */
  drop(): void {
    if (!this.#ended) this.#finish("notify-failed");
  }

  async #drain(): Promise<void> {
    try {
      while (this.#latest !== undefined && !this.#ended) {
        const body = this.#latest;
        this.#latest = undefined;
        const left = Math.max(0, Math.ceil((this.#expiresAt - Date.now()) / 1000));
        await this.#send(`active;expires=${left}`, body);
      }
    } finally {
      this.#chain = undefined;
    }
  }

  async #send(state: string, body: Buffer | undefined): Promise<void> {
    if (body !== undefined) this.#lastBody = body;
    const req = this.dialog.request("NOTIFY", {
      headers: [
        ["Event", eventHeader(this.eventId)],
        ["Subscription-State", state],
      ],
      ...(body === undefined ? {} : { body, contentType: SUMMARY_TYPE }),
    });
    try {
      const res = await this.ctx.endpoint.sendRequest(req, this.dialog.state.destination);
      // §4.2.2: the subscriber no longer knows the dialog, or answered nothing usable in time.
      if (res.status === 481 || res.status === 408) this.#lost(`status ${res.status}`);
      else if (res.status >= 300)
        this.ctx.logger?.info({ status: res.status }, "mwi notify refused by subscriber");
    } catch (err) {
      if (err instanceof SipTimeoutError || err instanceof SipTransportError) {
        this.#lost(err.message);
      } else {
        this.ctx.logger?.error({ err: String(err) }, "mwi notify failed");
      }
    }
  }

  #lost(why: string): void {
    if (this.#ended) return;
    this.ctx.logger?.info({ userId: this.userId, why }, "mwi subscription lost");
    this.#finish("notify-failed");
  }

  #finish(cause: EndCause): void {
    this.#ended = true;
    this.#latest = undefined;
    clearTimeout(this.#timer);
    this.ctx.onEnded(this, cause);
  }
}
