// What the four transaction machines of RFC 3261 §17 share: a state with one handler table per
// machine, named timers that die with the transaction, and a channel to the transport.

import type { Logger } from "pino";
import { SipError } from "../errors.ts";
import { SipTransportError } from "../transport/types.ts";
import type { Scheduler, TimerConfig, TimerHandle } from "./timers.ts";

/** The transport as one transaction sees it: bound to its peer, so only the bytes are passed. */
export interface TransactionChannel {
  readonly reliable: boolean;
  send(buf: Buffer): Promise<void>;
}

export interface TransactionContext {
  timers: TimerConfig;
  scheduler: Scheduler;
  logger?: Logger;
}

/** Timer B or F fired: no final response came (RFC 3261 §17.1.1.2, §17.1.2.2; treat as 408). */
export class SipTimeoutError extends SipError {
  constructor(message: string) {
    super(408, "Request Timeout", message);
  }
}

export type TimerName =
  | "A"
  | "B"
  | "D"
  | "E"
  | "F"
  | "K"
  | "G"
  | "H"
  | "I"
  | "J"
  | "L"
  | "M"
  | "Trying"
  | "Abandon";

export type TransactionEvent<M> =
  | { type: "message"; message: M }
  | { type: "timer"; timer: TimerName }
  | { type: "transportError"; error: SipTransportError }
  /** Server transactions only: the TU passes down a response (already serialized once). */
  | { type: "respond"; status: number; buf: Buffer };

export abstract class TransactionBase<S extends string, M> {
  #state: S;
  readonly key: string;
  protected readonly ctx: TransactionContext;
  readonly #timers = new Map<TimerName, TimerHandle>();
  readonly #terminatedCallbacks: Array<() => void> = [];
  protected abstract readonly handlers: Record<S, (event: TransactionEvent<M>) => void>;
  protected abstract readonly terminatedState: S;

  constructor(key: string, initial: S, ctx: TransactionContext) {
    this.key = key;
    this.#state = initial;
    this.ctx = ctx;
  }

  get state(): S {
    return this.#state;
  }

  get terminated(): boolean {
    return this.#state === this.terminatedState;
  }

  /** Called once, when the transaction reaches Terminated (the table removes it then). */
  onTerminated(cb: () => void): void {
    if (this.terminated) cb();
    else this.#terminatedCallbacks.push(cb);
  }

  protected dispatch(event: TransactionEvent<M>): void {
    this.handlers[this.#state](event);
  }

  protected transition(to: S): void {
    if (this.#state === to || this.terminated) return;
    this.ctx.logger?.debug({ tsx: this.key, from: this.#state, to }, "sip transaction state");
    this.#state = to;
    if (to === this.terminatedState) {
      for (const handle of this.#timers.values()) this.ctx.scheduler.clear(handle);
      this.#timers.clear();
      for (const cb of this.#terminatedCallbacks.splice(0)) cb();
    }
  }

  /** (Re)starts a named timer; a zero duration still goes through the scheduler, never inline. */
  protected startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    const handle = this.ctx.scheduler.set(() => {
      this.#timers.delete(name);
      if (!this.terminated) this.dispatch({ type: "timer", timer: name });
    }, ms);
    this.#timers.set(name, handle);
  }

  protected stopTimer(name: TimerName): void {
    const handle = this.#timers.get(name);
    if (handle) this.ctx.scheduler.clear(handle);
    this.#timers.delete(name);
  }

  /** Sends through the channel, turning a failure into a transportError event. */
  protected transmit(channel: TransactionChannel, buf: Buffer): void {
    let sending: Promise<void>;
    try {
      sending = channel.send(buf);
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.catch((err: unknown) => {
      const error = err instanceof SipTransportError ? err : new SipTransportError(String(err));
      if (!this.terminated) this.dispatch({ type: "transportError", error });
    });
  }

  /** Ends the transaction without further messages (endpoint shutdown). */
  abstract terminate(reason: string): void;
}

/** Does nothing: for events a state ignores, named so the tables read as the RFC's diagrams. */
export function ignore(): void {}
