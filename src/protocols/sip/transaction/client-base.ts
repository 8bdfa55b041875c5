// What the two client transactions (RFC 3261 §17.1.1 INVITE, §17.1.2 non-INVITE) share: the
// request sent once and then retransmitted by one timer (A or E) on unreliable transports, a
// give-up timer (B or F), responses fed in by the endpoint, and how the TU hears of failure.

import { type SipRequest, type SipResponse, serializeMessage } from "../message/index.ts";
import type { SipTransportError } from "../transport/types.ts";
import {
  SipTimeoutError,
  type TimerName,
  TransactionBase,
  type TransactionChannel,
  type TransactionContext,
} from "./base.ts";
import type { ClientTransaction, ClientTransactionUser } from "./client-types.ts";

export abstract class ClientTransactionBase<S extends string>
  extends TransactionBase<S, SipResponse>
  implements ClientTransaction
{
  readonly request: SipRequest;
  protected readonly channel: TransactionChannel;
  protected readonly tu: ClientTransactionUser;
  protected readonly buf: Buffer;
  /** The current retransmission interval of timer A or E. */
  protected interval: number;
  /** Timer A or E, and timer B or F. */
  protected abstract readonly retransmitTimer: TimerName;
  protected abstract readonly timeoutTimer: TimerName;
  /** States in which the TU is still owed a final response. */
  protected abstract readonly waitingStates: readonly S[];

  constructor(
    key: string,
    initial: S,
    request: SipRequest,
    channel: TransactionChannel,
    ctx: TransactionContext,
    tu: ClientTransactionUser,
  ) {
    super(key, initial, ctx);
    this.request = request;
    this.channel = channel;
    this.tu = tu;
    this.buf = serializeMessage(request);
    this.interval = ctx.timers.t1;
  }

  start(): void {
    this.transmit(this.channel, this.buf);
    if (!this.channel.reliable) this.startTimer(this.retransmitTimer, this.interval);
    this.startTimer(this.timeoutTimer, 64 * this.ctx.timers.t1);
  }

  receive(res: SipResponse): void {
    this.dispatch({ type: "message", message: res });
  }

  terminate(reason: string): void {
    if (this.waitingStates.includes(this.state as S)) {
      this.tu.onError(new SipTimeoutError(`${this.request.method} transaction ended: ${reason}`));
    }
    this.transition(this.terminatedState);
  }

  protected fail(err: SipTimeoutError | SipTransportError): void {
    this.transition(this.terminatedState);
    this.tu.onError(err);
  }
}
