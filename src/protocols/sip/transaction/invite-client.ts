// The INVITE client transaction (RFC 3261 §17.1.1, Figure 5, with the Accepted state of RFC 6026
// §7.2): timer A retransmits over unreliable transports, B gives up, D absorbs retransmitted
// non-2xx finals (each answered with the transaction's own ACK), M absorbs late 2xx for the TU.

import { type SipRequest, type SipResponse, serializeMessage } from "../message/index.ts";
import { buildNon2xxAck } from "./ack.ts";
import {
  ignore,
  SipTimeoutError,
  type TransactionChannel,
  type TransactionContext,
  type TransactionEvent,
} from "./base.ts";
import { ClientTransactionBase } from "./client-base.ts";
import type { ClientTransactionUser } from "./client-types.ts";

export enum InviteClientState {
  Calling = "Calling",
  Proceeding = "Proceeding",
  Completed = "Completed",
  Accepted = "Accepted",
  Terminated = "Terminated",
}

type Event = TransactionEvent<SipResponse>;

export class InviteClientTransaction extends ClientTransactionBase<InviteClientState> {
  #ack: Buffer | undefined;
  protected readonly terminatedState = InviteClientState.Terminated;
  protected readonly retransmitTimer = "A";
  protected readonly timeoutTimer = "B";
  protected readonly waitingStates = [InviteClientState.Calling, InviteClientState.Proceeding];

  protected readonly handlers: Record<InviteClientState, (e: Event) => void> = {
    [InviteClientState.Calling]: (e) => {
      if (e.type === "timer" && e.timer === "A") {
        this.transmit(this.channel, this.buf);
        this.interval *= 2;
        this.startTimer("A", this.interval);
      } else if (e.type === "timer" && e.timer === "B") {
        this.fail(
          new SipTimeoutError(
            `no response to INVITE within ${64 * this.ctx.timers.t1} ms (timer B)`,
          ),
        );
      } else this.#proceedingOrFinal(e);
    },
    [InviteClientState.Proceeding]: (e) => this.#proceedingOrFinal(e),
    [InviteClientState.Completed]: (e) => {
      if (e.type === "message" && e.message.status >= 300 && this.#ack)
        this.transmit(this.channel, this.#ack);
      else if (e.type === "timer" && e.timer === "D") this.transition(InviteClientState.Terminated);
    },
    [InviteClientState.Accepted]: (e) => {
      if (e.type === "message" && e.message.status >= 200 && e.message.status < 300)
        this.tu.onLate2xx?.(e.message);
      else if (e.type === "timer" && e.timer === "M") this.transition(InviteClientState.Terminated);
    },
    [InviteClientState.Terminated]: ignore,
  };

  constructor(
    key: string,
    request: SipRequest,
    channel: TransactionChannel,
    ctx: TransactionContext,
    tu: ClientTransactionUser,
  ) {
    super(key, InviteClientState.Calling, request, channel, ctx, tu);
  }

  /** Calling and Proceeding react alike to responses and transport errors. */
  #proceedingOrFinal(e: Event): void {
    if (e.type === "transportError") {
      this.fail(e.error);
      return;
    }
    if (e.type !== "message") return;
    const status = e.message.status;
    if (status < 200) {
      this.stopTimer("A");
      this.stopTimer("B"); // Proceeding waits for the UAS or for the TU to CANCEL (§17.1.1.2)
      this.transition(InviteClientState.Proceeding);
      this.tu.onProvisional?.(e.message);
    } else if (status < 300) {
      this.stopTimer("A");
      this.stopTimer("B");
      this.transition(InviteClientState.Accepted);
      this.startTimer("M", 64 * this.ctx.timers.t1);
      this.tu.onFinal(e.message);
    } else {
      this.stopTimer("A");
      this.stopTimer("B");
      this.#ack = serializeMessage(buildNon2xxAck(this.request, e.message));
      this.transmit(this.channel, this.#ack);
      this.transition(InviteClientState.Completed);
      this.startTimer("D", this.channel.reliable ? 0 : this.ctx.timers.d);
      this.tu.onFinal(e.message);
    }
  }
}
