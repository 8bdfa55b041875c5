// The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): timer E retransmits (doubling to
// T2, then every T2 once a provisional came) over unreliable transports, F gives up, K absorbs
// retransmitted finals before the transaction ends.

import type { SipRequest, SipResponse } from "../message/index.ts";
import {
  ignore,
  SipTimeoutError,
  type TransactionChannel,
  type TransactionContext,
  type TransactionEvent,
} from "./base.ts";
import { ClientTransactionBase } from "./client-base.ts";
import type { ClientTransactionUser } from "./client-types.ts";

export enum NonInviteClientState {
  Trying = "Trying",
  Proceeding = "Proceeding",
  Completed = "Completed",
  Terminated = "Terminated",
}

type Event = TransactionEvent<SipResponse>;

export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState> {
  protected readonly terminatedState = NonInviteClientState.Terminated;
  protected readonly retransmitTimer = "E";
  protected readonly timeoutTimer = "F";
  protected readonly waitingStates = [NonInviteClientState.Trying, NonInviteClientState.Proceeding];

  protected readonly handlers: Record<NonInviteClientState, (e: Event) => void> = {
    [NonInviteClientState.Trying]: (e) => {
      if (e.type === "timer" && e.timer === "E") {
        this.#retransmit(Math.min(2 * this.interval, this.ctx.timers.t2));
      } else this.#pending(e);
    },
    [NonInviteClientState.Proceeding]: (e) => {
      if (e.type === "timer" && e.timer === "E") this.#retransmit(this.ctx.timers.t2);
      else this.#pending(e);
    },
    [NonInviteClientState.Completed]: (e) => {
      if (e.type === "timer" && e.timer === "K") this.transition(NonInviteClientState.Terminated);
    },
    [NonInviteClientState.Terminated]: ignore,
  };

  constructor(
    key: string,
    request: SipRequest,
    channel: TransactionChannel,
    ctx: TransactionContext,
    tu: ClientTransactionUser,
  ) {
    super(key, NonInviteClientState.Trying, request, channel, ctx, tu);
  }

  #retransmit(next: number): void {
    this.transmit(this.channel, this.buf);
    this.interval = next;
    this.startTimer("E", next);
  }

  /** Trying and Proceeding react alike to responses, timer F and transport errors. */
  #pending(e: Event): void {
    if (e.type === "transportError") this.fail(e.error);
    else if (e.type === "timer" && e.timer === "F") {
      this.fail(
        new SipTimeoutError(
          `no final response to ${this.request.method} within ${64 * this.ctx.timers.t1} ms (timer F)`,
        ),
      );
    } else if (e.type === "message" && e.message.status < 200) {
      this.transition(NonInviteClientState.Proceeding);
      this.tu.onProvisional?.(e.message);
    } else if (e.type === "message") {
      this.stopTimer("E");
      this.stopTimer("F");
      this.transition(NonInviteClientState.Completed);
      this.startTimer("K", this.channel.reliable ? 0 : this.ctx.timers.t4);
      this.tu.onFinal(e.message);
    }
  }
}
