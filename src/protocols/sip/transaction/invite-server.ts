// The INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's Accepted state so
// retransmitted INVITEs after a 2xx are absorbed and the TU's 2xx retransmissions pass through):
// 100 Trying when the TU is silent, timer G retransmits a non-2xx final, H waits for the ACK,
// I absorbs ACK retransmissions, L ends Accepted.

import type { SipRequest } from "../message/index.ts";
import { serializeMessage } from "../message/index.ts";
import { ignore, SipTimeoutError, type TransactionChannel, type TransactionEvent } from "./base.ts";
import { type ServerContext, ServerTransactionBase } from "./server-base.ts";

export enum InviteServerState {
  Proceeding = "Proceeding",
  Completed = "Completed",
  Confirmed = "Confirmed",
  Accepted = "Accepted",
  Terminated = "Terminated",
}

type Event = TransactionEvent<SipRequest>;

export class InviteServerTransaction extends ServerTransactionBase<InviteServerState> {
  #intervalG = 0;
  #final: Buffer | undefined;
  protected readonly terminatedState = InviteServerState.Terminated;

  protected readonly handlers: Record<InviteServerState, (e: Event) => void> = {
    [InviteServerState.Proceeding]: (e) => {
      if (e.type === "timer" && e.timer === "Trying") {
        if (this.lastResponse === undefined) this.#sendTrying();
      } else if (e.type === "message" && e.message.method === "INVITE") {
        // §17.2.1: repeat the latest provisional; if the TU has said nothing yet, say Trying now.
        if (this.lastResponse) this.transmit(this.channel, this.lastResponse);
        else this.#sendTrying();
      } else if (e.type === "respond") this.#fromTu(e.status, e.buf);
      else if (e.type === "transportError") this.fail(e.error);
    },
    [InviteServerState.Completed]: (e) => {
      if (e.type === "message" && e.message.method === "INVITE" && this.#final) {
        this.transmit(this.channel, this.#final);
      } else if (e.type === "message" && e.message.method === "ACK") {
        this.stopTimer("G");
        this.stopTimer("H");
        this.transition(InviteServerState.Confirmed);
        this.startTimer("I", this.channel.reliable ? 0 : this.ctx.timers.t4);
      } else if (e.type === "timer" && e.timer === "G" && this.#final) {
        this.transmit(this.channel, this.#final);
        this.#intervalG = Math.min(2 * this.#intervalG, this.ctx.timers.t2);
        this.startTimer("G", this.#intervalG);
      } else if (e.type === "timer" && e.timer === "H") {
        this.fail(
          new SipTimeoutError(
            `no ACK for the final response within ${64 * this.ctx.timers.t1} ms (timer H)`,
          ),
        );
      } else if (e.type === "respond") this.lateResponse(e.status);
      else if (e.type === "transportError") this.fail(e.error);
    },
    [InviteServerState.Confirmed]: (e) => {
      if (e.type === "timer" && e.timer === "I") this.transition(InviteServerState.Terminated);
      else if (e.type === "respond") this.lateResponse(e.status);
    },
    [InviteServerState.Accepted]: (e) => {
      // The dialog layer retransmits its 2xx until the ACK comes (§13.3.1.4); let those through.
      if (e.type === "respond" && e.status >= 200 && e.status < 300) this.send(e.buf);
      else if (e.type === "respond") this.lateResponse(e.status);
      else if (e.type === "timer" && e.timer === "L") this.transition(InviteServerState.Terminated);
      else if (e.type === "transportError") {
        this.ctx.logger?.warn({ tsx: this.key, err: e.error.message }, "sip 2xx could not be sent");
      }
    },
    [InviteServerState.Terminated]: ignore,
  };

  constructor(key: string, request: SipRequest, channel: TransactionChannel, ctx: ServerContext) {
    super(key, InviteServerState.Proceeding, request, channel, ctx);
  }

  start(): void {
    this.startTimer("Trying", this.ctx.timers.trying);
  }

  #sendTrying(): void {
    this.stopTimer("Trying");
    this.send(serializeMessage(this.build(100, "Trying")));
  }

  #fromTu(status: number, buf: Buffer): void {
    this.stopTimer("Trying");
    this.send(buf);
    if (status < 200) return;
    if (status < 300) {
      this.transition(InviteServerState.Accepted);
      this.startTimer("L", 64 * this.ctx.timers.t1);
      return;
    }
    this.#final = buf;
    this.transition(InviteServerState.Completed);
    if (!this.channel.reliable) {
      this.#intervalG = this.ctx.timers.t1;
      this.startTimer("G", this.#intervalG);
    }
    this.startTimer("H", 64 * this.ctx.timers.t1);
  }
}
