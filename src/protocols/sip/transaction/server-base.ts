// What both server transactions (RFC 3261 §17.2) offer the TU: respond() builds the response from
// the request as §8.2.6 asks (Via/From/To/Call-ID/CSeq copied, one To tag for every non-100
// response, Server header), CANCEL and failure notifications, and retransmission bookkeeping.

import type { SipRefusal } from "../errors.ts";
import {
  buildResponse,
  type SipRequest,
  type SipResponse,
  serializeMessage,
} from "../message/index.ts";
import type { SipTransportError } from "../transport/types.ts";
import {
  type SipTimeoutError,
  TransactionBase,
  type TransactionChannel,
  type TransactionContext,
} from "./base.ts";
import { reasonPhrase } from "./reasons.ts";

export interface RespondOptions {
  headers?: Array<[string, string]>;
  body?: Buffer;
  contentType?: string;
  /** The To tag to use; by default one is generated per transaction and reused. */
  toTag?: string;
  /**
   * Copies the request's Record-Route values, in order, into the response: what a UAS must do
   * in every response that creates a dialog (RFC 3261 §12.1.1, RFC 6665 §4.2.1).
   */
  recordRoute?: boolean;
}

export interface ServerContext extends TransactionContext {
  userAgent?: string;
  newTag: () => string;
}

export interface ServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly state: string;
  readonly terminated: boolean;
  /** True once a CANCEL for this INVITE arrived. */
  readonly cancelled: boolean;
  /** The To tag this transaction puts on its responses. */
  readonly toTag: string;
  /** Throws RangeError for a status outside 100–699; ignored (logged) once a final was sent. */
  respond(status: number, reason?: string, options?: RespondOptions): void;
  /**
   * Answers with the refusal's status, reason and headers (then those of `options`); throws
   * RangeError for a status below 300, which would accept rather than refuse.
   */
  refuse(refusal: SipRefusal, options?: RespondOptions): void;
  /** INVITE only: the peer cancelled; the TU should now answer 487 (RFC 3261 §9.2). */
  onCancel(cb: (cancel: SipRequest) => void): void;
  /** A response could not be sent, or (INVITE) no ACK came for a non-2xx final (timer H). */
  onError(cb: (err: SipTransportError | SipTimeoutError) => void): void;
  onTerminated(cb: () => void): void;
  /**
   * Called once, when the first final response is passed down: the transaction's work is done,
   * and what remains (until Terminated) is absorbing retransmissions (timers H, I, J, L).
   */
  onAnswered(cb: () => void): void;
}

export abstract class ServerTransactionBase<S extends string>
  extends TransactionBase<S, SipRequest>
  implements ServerTransaction
{
  readonly request: SipRequest;
  protected readonly channel: TransactionChannel;
  protected readonly sctx: ServerContext;
  /** The last response sent, for retransmission on a retransmitted request. */
  protected lastResponse: Buffer | undefined;
  #toTag: string | undefined;
  #cancel: SipRequest | undefined;
  readonly #cancelCallbacks: Array<(cancel: SipRequest) => void> = [];
  readonly #errorCallbacks: Array<(err: SipTransportError | SipTimeoutError) => void> = [];
  readonly #answeredCallbacks: Array<() => void> = [];
  #answered = false;

  constructor(
    key: string,
    initial: S,
    request: SipRequest,
    channel: TransactionChannel,
    ctx: ServerContext,
  ) {
    super(key, initial, ctx);
    this.request = request;
    this.channel = channel;
    this.sctx = ctx;
  }

  get cancelled(): boolean {
    return this.#cancel !== undefined;
  }

  get toTag(): string {
    this.#toTag ??= this.sctx.newTag();
    return this.#toTag;
  }

  abstract start(): void;

  /** A retransmission of the request (or, for INVITE, the ACK of a non-2xx). */
  receive(req: SipRequest): void {
    this.dispatch({ type: "message", message: req });
  }

  respond(status: number, reason?: string, options: RespondOptions = {}): void {
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`SIP status must be an integer from 100 to 699, got ${status}`);
    }
    if (options.toTag !== undefined) this.#toTag = options.toTag;
    const response = this.build(status, reason ?? reasonPhrase(status), options);
    this.dispatch({ type: "respond", status, buf: serializeMessage(response) });
    if (status >= 200 && !this.#answered) {
      this.#answered = true;
      for (const cb of this.#answeredCallbacks.splice(0)) cb();
    }
  }

  onAnswered(cb: () => void): void {
    if (this.#answered) cb();
    else this.#answeredCallbacks.push(cb);
  }

  refuse(refusal: SipRefusal, options: RespondOptions = {}): void {
    if (refusal.status < 300) throw new RangeError(`a refusal is 3xx–6xx, not ${refusal.status}`);
    const headers = [...(refusal.headers ?? []), ...(options.headers ?? [])];
    this.respond(refusal.status, refusal.reason, { ...options, headers });
  }

  protected build(status: number, reason: string, options: RespondOptions = {}): SipResponse {
    const headers: Array<[string, string]> = [];
    if (this.sctx.userAgent) headers.push(["Server", this.sctx.userAgent]);
    if (options.body && options.body.length > 0 && options.contentType) {
      headers.push(["Content-Type", options.contentType]);
    }
    if (options.recordRoute)
      for (const rr of this.request.headers.getAll("record-route"))
        headers.push(["Record-Route", rr]);
    if (options.headers) headers.push(...options.headers);
    const built = buildResponse(this.request, status, reason, {
      headers,
      ...(status === 100 ? {} : { toTag: this.toTag }),
      ...(options.body ? { body: options.body } : {}),
    });
    return built;
  }

  onCancel(cb: (cancel: SipRequest) => void): void {
    if (this.#cancel) cb(this.#cancel);
    else this.#cancelCallbacks.push(cb);
  }

  onError(cb: (err: SipTransportError | SipTimeoutError) => void): void {
    this.#errorCallbacks.push(cb);
  }

  /** The endpoint matched a CANCEL to this transaction (and has answered the CANCEL itself). */
  cancel(cancel: SipRequest): void {
    if (this.#cancel || this.terminated) return;
    this.#cancel = cancel;
    for (const cb of this.#cancelCallbacks.splice(0)) cb(cancel);
  }

  protected send(buf: Buffer): void {
    this.lastResponse = buf;
    this.transmit(this.channel, buf);
  }

  protected fail(err: SipTransportError | SipTimeoutError): void {
    this.transition(this.terminatedState);
    this.ctx.logger?.warn({ tsx: this.key, err: err.message }, "sip server transaction failed");
    for (const cb of this.#errorCallbacks) cb(err);
  }

  protected lateResponse(status: number): void {
    this.ctx.logger?.warn(
      { tsx: this.key, status, state: this.state },
      "sip response after the final one ignored",
    );
  }

  terminate(): void {
    this.transition(this.terminatedState);
  }
}
