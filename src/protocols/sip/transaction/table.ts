// The live transactions of one endpoint, keyed as RFC 3261 §17.1.3 / §17.2.3 match them. Each
// transaction removes itself when it reaches Terminated, so the table never holds dead entries.
// A server transaction that has answered only absorbs retransmissions until its timer ends it
// (Timer J keeps a non-INVITE one 32 s on UDP): it no longer counts against the limits on work in
// progress — else a steady 250 NOTIFYs a second would fill 8,000 places with finished work — and
// the answered ones are capped on their own, the oldest ended first, since they are only a cache.

import type { ClientTransaction } from "./client-types.ts";
import type { ServerTransactionBase } from "./server-base.ts";

type AnyServer = ServerTransactionBase<string>;

export class TransactionTable {
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, AnyServer>();
  /** Unanswered server transactions per source key, so one source cannot fill the table. */
  readonly #bySource = new Map<string, number>();
  /** Answered server transactions, oldest first. */
  readonly #answered = new Map<string, AnyServer>();

  /** `maxAnswered`: answered server transactions kept for retransmissions at most. */
  constructor(private readonly maxAnswered = 20_000) {}

  get size(): number {
    return this.#clients.size + this.#servers.size;
  }

  /** Transactions at work: client ones and server ones that have not answered yet. */
  get liveCount(): number {
    return this.#clients.size + this.liveServerCount;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size;
  }

  /** Server transactions that have not answered yet (what admission limits). */
  get liveServerCount(): number {
    return this.#servers.size - this.#answered.size;
  }

  addClient(tx: ClientTransaction): void {
    this.#clients.set(tx.key, tx);
    tx.onTerminated(() => {
      if (this.#clients.get(tx.key) === tx) this.#clients.delete(tx.key);
    });
  }

  /** `source` is the key the transaction counts against (serversFrom). */
  addServer(tx: AnyServer, source?: string): void {
    this.#servers.set(tx.key, tx);
    if (source !== undefined) this.#bySource.set(source, (this.#bySource.get(source) ?? 0) + 1);
    let counted = source !== undefined;
    const uncount = () => {
      if (!counted || source === undefined) return;
      counted = false;
      const left = (this.#bySource.get(source) ?? 1) - 1;
      if (left > 0) this.#bySource.set(source, left);
      else this.#bySource.delete(source);
    };
    tx.onAnswered(() => {
      if (tx.terminated || this.#servers.get(tx.key) !== tx) return;
      uncount();
      this.#answered.set(tx.key, tx);
      if (this.#answered.size > this.maxAnswered) {
        // The oldest has had the longest to see a retransmission answered: it goes first.
        const [, oldest] = this.#answered.entries().next().value as [string, AnyServer];
        oldest.terminate();
      }
    });
    tx.onTerminated(() => {
      if (this.#servers.get(tx.key) === tx) this.#servers.delete(tx.key);
      if (this.#answered.get(tx.key) === tx) this.#answered.delete(tx.key);
      uncount();
    });
  }

  /** Unanswered server transactions counted against `source`. */
  serversFrom(source: string): number {
    return this.#bySource.get(source) ?? 0;
  }

  client(key: string): ClientTransaction | undefined {
    return this.#clients.get(key);
  }

  server(key: string): AnyServer | undefined {
    return this.#servers.get(key);
  }

  /** Ends every transaction (pending client ones report an error to their TU). */
  terminateAll(reason: string): void {
    for (const tx of [...this.#clients.values()]) tx.terminate(reason);
    for (const tx of [...this.#servers.values()]) tx.terminate();
    this.#clients.clear();
    this.#servers.clear();
    this.#answered.clear();
    this.#bySource.clear();
  }
}
