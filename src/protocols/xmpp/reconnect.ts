// Reconnects a connection that dropped, with exponential backoff and jitter (after xmpp.js's
// `reconnect({ entity })`); a refused secret or unknown domain waits the longest delay.

import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { backoffDelay } from "../../core/backoff.ts";
import type { DisconnectInfo } from "./component.ts";
import { XmppError } from "./errors.ts";

/** What reconnect needs of a connection: ComponentConnection fits. */
export interface Reconnectable {
  readonly status: string;
  connect(): Promise<void>;
  on(event: "disconnect", listener: (info: DisconnectInfo) => void): unknown;
  on(event: "online", listener: () => void): unknown;
  off(event: "disconnect", listener: (info: DisconnectInfo) => void): unknown;
  off(event: "online", listener: () => void): unknown;
}

export interface ReconnectOptions {
  connection: Reconnectable;
  /** Delay before the first retry; default 1 s. */
  initialDelayMs?: number;
  /** Longest delay, also used after a refusal (see fatalConditions); default 60 s. */
  maxDelayMs?: number;
  /** Growth per failed attempt; default 2. */
  factor?: number;
  /** Fraction of each delay that is random, 0…1; default 0.5. */
  jitter?: number;
  /** Stream errors that retrying soon cannot fix. */
  fatalConditions?: readonly string[];
  random?: () => number;
  logger?: Logger;
}

export interface ReconnectEvents {
  /** A retry is scheduled: the attempt number (from 1) and the delay before it. */
  reconnecting: [attempt: number, delayMs: number];
}

const FATAL = ["not-authorized", "host-unknown", "host-gone", "invalid-namespace", "conflict"];

export class Reconnector extends EventEmitter<ReconnectEvents> {
  readonly #o: Required<Omit<ReconnectOptions, "logger">> & { logger?: Logger };
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: ReconnectOptions) {
    super();
    this.#o = {
      initialDelayMs: 1_000,
      maxDelayMs: 60_000,
      factor: 2,
      jitter: 0.5,
      fatalConditions: FATAL,
      random: Math.random,
      ...options,
    };
  }

  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before retry number `attempt` (from 1), fatal or not. */
  delay(attempt: number, fatal = false): number {
    const { initialDelayMs, maxDelayMs, factor, jitter, random } = this.#o;
    const timing = { initialDelayMs, maxDelayMs, factor, jitter, random };
    // A refusal starts where the growth ends: the longest delay, still jittered.
    return backoffDelay(attempt, fatal ? { ...timing, initialDelayMs: maxDelayMs } : timing);
  }

  #onOnline = (): void => {
    this.#attempt = 0;
  };

  #onDisconnect = (info: DisconnectInfo): void => {
    if (!this.#running || info.requested) return;
    this.#schedule(info.error);
  };

  #schedule(error: Error | undefined): void {
    if (this.#timer) return;
    this.#attempt++;
    const fatal = error instanceof XmppError && this.#o.fatalConditions.includes(error.condition);
    const ms = this.delay(this.#attempt, fatal);
    this.#o.logger?.info(
      { attempt: this.#attempt, delayMs: ms, err: error },
      "xmpp reconnect scheduled",
    );
    this.emit("reconnecting", this.#attempt, ms);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running || this.#o.connection.status !== "offline") return;
      // a failed attempt ends in another "disconnect", which schedules the next one
      this.#o.connection.connect().catch(() => {});
    }, ms);
  }

  /** Starts watching; connects now when the connection is offline. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#o.connection.on("disconnect", this.#onDisconnect);
    this.#o.connection.on("online", this.#onOnline);
    if (this.#o.connection.status === "offline") this.#o.connection.connect().catch(() => {});
  }

  /** Stops retrying; the connection itself is left as it is. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#o.connection.off("disconnect", this.#onDisconnect);
    this.#o.connection.off("online", this.#onOnline);
  }
}

/** Factory in the style of xmpp.js: `reconnect({ connection }).start()`. */
export function reconnect(options: ReconnectOptions): Reconnector {
  return new Reconnector(options);
}
