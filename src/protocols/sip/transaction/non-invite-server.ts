// The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): absorbs retransmitted requests,
// repeating the last response, and lingers for timer J after the final one. A TU that never
// answers is not the peer's problem: after 64*T1 + T4 (the client's timer F has long fired) the
// transaction is dropped silently, so forgotten requests cannot pile up.

import type { SipRequest } from "../message/index.ts";
import { ignore, type TransactionChannel, type TransactionEvent } from "./base.ts";
import { type ServerContext, ServerTransactionBase } from "./server-base.ts";

export enum NonInviteServerState {
  Trying = "Trying",
  Proceeding = "Proceeding",
  Completed = "Completed",
  Terminated = "Terminated",
}

type Event = TransactionEvent<SipRequest>;

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState> {
  protected readonly terminatedState = NonInviteServerState.Terminated;

  protected readonly handlers: Record<NonInviteServerState, (e: Event) => void> = {
    [NonInviteServerState.Trying]: (e) => this.#pending(e),
    [NonInviteServerState.Proceeding]: (e) => {
      if (e.type === "message" && this.lastResponse) this.transmit(this.channel, this.lastResponse);
      else this.#pending(e);
    },
    [NonInviteServerState.Completed]: (e) => {
      if (e.type === "message" && this.lastResponse) this.transmit(this.channel, this.lastResponse);
      else if (e.type === "timer" && e.timer === "J")
        this.transition(NonInviteServerState.Terminated);
      else if (e.type === "respond") this.lateResponse(e.status);
      else if (e.type === "transportError") this.fail(e.error);
    },
    [NonInviteServerState.Terminated]: ignore,
  };

  constructor(key: string, request: SipRequest, channel: TransactionChannel, ctx: ServerContext) {
    super(key, NonInviteServerState.Trying, request, channel, ctx);
  }

  start(): void {
    this.startTimer("Abandon", 64 * this.ctx.timers.t1 + this.ctx.timers.t4);
  }

  /** Trying and Proceeding: the TU's responses, the abandon guard, transport failures. */
  #pending(e: Event): void {
    if (e.type === "respond") {
      this.send(e.buf);
      if (e.status < 200) {
        this.transition(NonInviteServerState.Proceeding);
        return;
      }
      this.stopTimer("Abandon");
      this.transition(NonInviteServerState.Completed);
      this.startTimer("J", this.channel.reliable ? 0 : 64 * this.ctx.timers.t1);
    } else if (e.type === "timer" && e.timer === "Abandon") {
      this.ctx.logger?.warn(
        { tsx: this.key, method: this.request.method },
        "sip request never answered by the TU; dropped",
      );
      this.transition(NonInviteServerState.Terminated);
    } else if (e.type === "transportError") this.fail(e.error);
  }
}
