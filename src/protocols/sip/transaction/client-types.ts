// What a client transaction reports to its transaction user (RFC 3261 §17.1): provisional and
// final responses, or a timeout / transport failure, which §8.1.3.1 treats like 408 / 503.

import type { SipRequest, SipResponse } from "../message/index.ts";
import type { SipTransportError } from "../transport/types.ts";
import type { SipTimeoutError } from "./base.ts";

export interface ClientTransactionUser {
  onProvisional?(res: SipResponse): void;
  /** Exactly once per transaction, unless onError came first. */
  onFinal(res: SipResponse): void;
  onError(err: SipTimeoutError | SipTransportError): void;
  /**
   * INVITE only: a 2xx after the first final one (retransmission or another fork, RFC 6026 §7.2).
   * The dialog layer answers it with its ACK.
   */
  onLate2xx?(res: SipResponse): void;
}

export interface ClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly state: string;
  readonly terminated: boolean;
  start(): void;
  receive(res: SipResponse): void;
  onTerminated(cb: () => void): void;
  terminate(reason: string): void;
}
