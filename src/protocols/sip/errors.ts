// The SIP stack's failures and refusals (RFC 3261 §7.2, §21): each carries a status code and its
// reason phrase, whether a peer sent them or the stack concluded them itself (a transaction that
// timed out is a 408, a transport failure a 503, RFC 3261 §8.1.3.1).

/**
 * A request turned down with a final non-2xx status: what a layer that decides the refusal hands
 * to the one that answers (ServerTransaction.refuse, InviteSession.reject).
 */
export interface SipRefusal {
  status: number;
  reason: string;
  /** Headers the answer must carry, e.g. Retry-After, Allow-Events, Min-Expires. */
  headers?: Array<[string, string]>;
}

/** The base of every SIP error: the status and reason phrase that stand for the failure. */
export class SipError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message = `${status} ${reason}`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
