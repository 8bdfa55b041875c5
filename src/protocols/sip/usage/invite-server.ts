// The answering side of a call (RFC 3261 §13.3): ringing, the 2xx with our SDP answer, its
// retransmission until the ACK (§13.3.1.4), CANCEL before the answer, BYE in either direction,
// and a re-INVITE answered with the session we already have. Media is the caller's business.

import { Dialog } from "../dialog/dialog.ts";
import type { DialogRegistry } from "../dialog/registry.ts";
import type { IncomingAck, IncomingRequest, SipEndpoint } from "../endpoint.ts";
import { newTag } from "../endpoint-request.ts";

export type SessionEnd = "remote-bye" | "local-bye" | "cancelled" | "ack-timeout" | "rejected";

export interface InviteServerOptions {
  endpoint: SipEndpoint;
  dialogs: DialogRegistry;
  /** Our Contact URI for this call. */
  localContact: string;
  t1?: number;
  t2?: number;
}

const SDP = "application/sdp";

export class InviteServerSession {
  readonly localTag = newTag();
  readonly ended: Promise<SessionEnd>;
  #end!: (why: SessionEnd) => void;
  #state: "early" | "accepted" | "confirmed" | "terminated" = "early";
  #dialog: Dialog | undefined;
  #answer: Buffer | undefined;
  #removeDialog: (() => void) | undefined;
  #retransmit: NodeJS.Timeout | undefined;
  #confirmed: ((acked: boolean) => void) | undefined;
  readonly #byeTasks: Array<() => Promise<void>> = [];
  readonly #onInfo = new Set<(req: IncomingRequest) => void>();

  constructor(
    readonly invite: IncomingRequest,
    private readonly opts: InviteServerOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
    invite.transaction.onCancel(() => {
      if (this.#state !== "early") return;
      invite.transaction.respond(487, "Request Terminated", { toTag: this.localTag });
      this.#finish("cancelled");
    });
  }

  get offer(): Buffer {
    return this.invite.message.body;
  }

  get state(): string {
    return this.#state;
  }

  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  ring(): void {
    if (this.#state === "early")
      this.invite.transaction.respond(180, "Ringing", { toTag: this.localTag, recordRoute: true });
  }

  reject(status: number, reason?: string, headers?: Array<[string, string]>): void {
    if (this.#state !== "early") return;
    this.invite.transaction.respond(status, reason, {
      toTag: this.localTag,
      ...(headers ? { headers } : {}),
    });
    this.#finish("rejected");
  }

  /**
   * Sends the 2xx with our answer. Resolves true when the caller's ACK arrives, false when the
   * call ended first (no ACK in 64·T1, a BYE, our own hang-up).
   */
  accept(answer: Buffer): Promise<boolean> {
    if (this.#state !== "early") return Promise.resolve(false);
    const dialog = Dialog.asServer(this.invite, this.localTag, this.opts.localContact);
    this.#dialog = dialog;
    this.#answer = answer;
    this.#removeDialog = this.opts.dialogs.add(dialog.key, {
      onRequest: (req) => this.#inDialog(req),
      onAck: (ack) => this.#onAck(ack),
    });
    this.#state = "accepted";
    const send = () =>
      this.invite.transaction.respond(200, "OK", { ...this.#okOptions(), recordRoute: true });
    send();
    const t1 = this.opts.t1 ?? 500;
    const t2 = this.opts.t2 ?? 4000;
    let interval = t1;
    let elapsed = 0;
    const tick = () => {
      if (this.#state !== "accepted") return;
      elapsed += interval;
      if (elapsed >= 64 * t1) {
        // §13.3.1.4: no ACK within 64·T1 — the session is over; end it with a BYE.
        this.#confirmed?.(false);
        void this.#sendBye().finally(() => this.#finish("ack-timeout"));
        return;
      }
      send();
      interval = Math.min(interval * 2, t2);
      this.#retransmit = setTimeout(tick, interval);
    };
    this.#retransmit = setTimeout(tick, interval);
    return new Promise((resolve) => {
      this.#confirmed = resolve;
    });
  }

  /** Work to finish before a BYE from the caller is answered (durability of the recording). */
  beforeByeResponse(task: () => Promise<void>): void {
    this.#byeTasks.push(task);
  }

  onInfo(listener: (req: IncomingRequest) => void): () => void {
    this.#onInfo.add(listener);
    return () => this.#onInfo.delete(listener);
  }

  /** Ends the call from our side. */
  async hangup(): Promise<void> {
    if (this.#state === "early") {
      this.reject(480, "Temporarily Unavailable");
      return;
    }
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    await this.#sendBye();
    this.#finish("local-bye");
  }

  #okOptions() {
    return {
      toTag: this.localTag,
      headers: [["Contact", `<${this.opts.localContact}>`] as [string, string]],
      ...(this.#answer ? { body: this.#answer, contentType: SDP } : {}),
    };
  }

  #onAck(_ack: IncomingAck): void {
    if (this.#state !== "accepted") return;
    this.#state = "confirmed";
    clearTimeout(this.#retransmit);
    this.#confirmed?.(true);
  }

  async #sendBye(): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog) return;
    try {
      await this.opts.endpoint.sendRequest(dialog.request("BYE"), dialog.state.destination);
    } catch {
      // The far end is gone or does not answer: the call is over all the same.
    }
  }

  #inDialog(req: IncomingRequest): void {
    const dialog = this.#dialog;
    if (!dialog?.acceptRemote(req.message)) {
      req.transaction.respond(500, "Server Internal Error", { headers: [["Retry-After", "1"]] });
      return;
    }
    switch (req.message.method) {
      case "BYE":
        void this.#onBye(req);
        return;
      case "INVITE":
        // A re-INVITE (session refresh, hold): our side of the session does not change.
        req.transaction.respond(200, "OK", this.#okOptions());
        return;
      case "INFO":
        for (const l of this.#onInfo) l(req);
        req.transaction.respond(200, "OK");
        return;
      case "OPTIONS":
      case "UPDATE":
        req.transaction.respond(200, "OK");
        return;
      default:
        req.transaction.respond(405, "Method Not Allowed", {
          headers: [["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"]],
        });
    }
  }

  async #onBye(req: IncomingRequest): Promise<void> {
    if (this.#state === "accepted") this.#onAck({ message: req.message, source: req.source });
    const wasActive = this.#state !== "terminated";
    this.#state = "terminated";
    clearTimeout(this.#retransmit);
    try {
      if (wasActive) for (const task of this.#byeTasks) await task();
      req.transaction.respond(200, "OK");
    } catch {
      // The work before the acknowledgement failed: the caller must not believe it succeeded.
      req.transaction.respond(500, "Server Internal Error");
    }
    this.#finish("remote-bye");
  }

  #finish(why: SessionEnd): void {
    this.#state = "terminated";
    clearTimeout(this.#retransmit);
    this.#removeDialog?.();
    this.#confirmed?.(false);
    this.#end(why);
  }
}
