// The answering side of a call (RFC 3261 §13.3): ringing, the 2xx with our SDP answer, its
// retransmission until the ACK (§13.3.1.4), CANCEL before the answer, BYE in either direction,
// a re-INVITE or UPDATE answered with the session we already have, and session timers
// (RFC 4028, session-timer.ts) when the caller asks. Media is the caller's business.

import { Dialog } from "../dialog/dialog.ts";
import type { DialogRegistry } from "../dialog/registry.ts";
import type { IncomingAck, IncomingRequest, SipEndpoint } from "../endpoint.ts";
import { newTag } from "../endpoint-request.ts";
import type { SipRefusal } from "../errors.ts";
import type { Scheduler } from "../transaction/timers.ts";
import { MIN_SE, negotiateSessionTimer, SessionTimer } from "./session-timer.ts";

export type SessionEnd = "remote-bye" | "local-bye" | "cancelled" | "ack-timeout" | "rejected";

export interface InviteServerOptions {
  endpoint: SipEndpoint;
  dialogs: DialogRegistry;
  /** Our Contact URI for this call. */
  localContact: string;
  t1?: number;
  t2?: number;
  /** Smallest session interval we accept (RFC 4028 Min-SE), seconds; 90 by default. */
  minSessionExpires?: number;
  /** Runs the session timer; the real clock by default. */
  scheduler?: Scheduler;
}

const SDP = "application/sdp";
const ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE";

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
  readonly #timer: SessionTimer;

  constructor(
    readonly invite: IncomingRequest,
    private readonly opts: InviteServerOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
    this.#timer = new SessionTimer({
      refresh: () => this.#refresh(),
      expire: () => void this.hangup(),
      ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
    });
    const timer = negotiateSessionTimer(invite.message, this.#minSe);
    if (timer.kind === "too-small") {
      // RFC 4028 §9: the caller retries with at least our Min-SE. The session is over here.
      this.#refuseInterval(invite, timer.minSe);
      this.#finish("rejected");
      return;
    }
    this.#timer.apply(timer);
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

  /** Refuses the call before it is answered (a 3xx redirect counts); ignored once answered. */
  reject(refusal: SipRefusal): void {
    if (this.#state !== "early") return;
    this.invite.transaction.refuse(refusal, { toTag: this.localTag });
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
    this.#timer.restart();
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
      this.reject({ status: 480, reason: "Temporarily Unavailable" });
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
      headers: [
        ["Contact", `<${this.opts.localContact}>`] as [string, string],
        ["Allow", ALLOW] as [string, string],
        ...this.#timer.responseHeaders(),
      ],
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
      case "UPDATE":
        // A refresh (RFC 4028), hold, a new offer: our side of the session does not change.
        this.#onRefresh(req);
        return;
      case "INFO":
        for (const l of this.#onInfo) l(req);
        req.transaction.respond(200, "OK");
        return;
      case "OPTIONS":
        req.transaction.respond(200, "OK");
        return;
      default:
        req.transaction.respond(405, "Method Not Allowed", {
          headers: [["Allow", ALLOW]],
        });
    }
  }

  get #minSe(): number {
    return Math.max(MIN_SE, this.opts.minSessionExpires ?? MIN_SE);
  }

  #refuseInterval(req: IncomingRequest, minSe: number): void {
    req.transaction.refuse(
      { status: 422, reason: "Session Interval Too Small", headers: [["Min-SE", String(minSe)]] },
      { toTag: this.localTag },
    );
  }

  /** A re-INVITE or UPDATE: renegotiates the session timer and restarts it (RFC 4028 §9). */
  #onRefresh(req: IncomingRequest): void {
    const timer = negotiateSessionTimer(req.message, this.#minSe);
    if (timer.kind === "too-small") {
      this.#refuseInterval(req, timer.minSe);
      return;
    }
    this.#timer.apply(timer);
    this.#timer.restart();
    // An UPDATE without an offer gets no SDP back (RFC 3311 §5.2).
    if (req.message.method === "UPDATE" && req.message.body.length === 0) {
      req.transaction.respond(200, "OK", {
        headers: [["Contact", `<${this.opts.localContact}>`], ...this.#timer.responseHeaders()],
      });
      return;
    }
    req.transaction.respond(200, "OK", this.#okOptions());
  }

  /**
   * Our refresh as the session-timer refresher (RFC 4028 §7.4): an UPDATE when the caller allows
   * it, else a re-INVITE with the same SDP. Only a sign that the dialog is gone (408, 481, no
   * answer) ends the session; other refusals leave it running until the next try.
   */
  async #refresh(): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog || this.#state === "terminated") return;
    const allow = this.invite.message.headers
      .getAll("allow")
      .flatMap((v) => v.split(","))
      .map((m) => m.trim().toUpperCase());
    const update = allow.includes("UPDATE");
    const headers = this.#timer.refreshHeaders();
    const req = update
      ? dialog.request("UPDATE", { headers })
      : dialog.request("INVITE", {
          headers,
          ...(this.#answer ? { body: this.#answer, contentType: SDP } : {}),
        });
    const seq = dialog.state.localSeq;
    const res = await this.opts.endpoint.sendRequest(req, dialog.state.destination);
    if (!update && res.status >= 200 && res.status < 300) {
      await this.opts.endpoint.sendAck(dialog.ack(seq), dialog.state.destination);
    }
    if (res.status === 408 || res.status === 481) {
      throw new Error(`session refresh answered ${res.status}`);
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
    this.#timer.stop();
    clearTimeout(this.#retransmit);
    this.#removeDialog?.();
    this.#confirmed?.(false);
    this.#end(why);
  }
}
