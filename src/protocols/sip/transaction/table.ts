// The live transactions of one endpoint, keyed as RFC 3261 §17.1.3 / §17.2.3 match them. Each
// transaction removes itself when it reaches Terminated, so the table never holds dead entries.

import type { ClientTransaction } from "./client-types.ts";
import type { ServerTransactionBase } from "./server-base.ts";

type AnyServer = ServerTransactionBase<string>;

export class TransactionTable {
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, AnyServer>();
  /** Live server transactions per source key, so one source cannot fill the table. */
  readonly #bySource = new Map<string, number>();

  get size(): number {
    return this.#clients.size + this.#servers.size;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size;
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
    tx.onTerminated(() => {
      if (this.#servers.get(tx.key) === tx) this.#servers.delete(tx.key);
      if (source === undefined) return;
      const left = (this.#bySource.get(source) ?? 1) - 1;
      if (left > 0) this.#bySource.set(source, left);
      else this.#bySource.delete(source);
    });
  }

  /** Live server transactions counted against `source`. */
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
    this.#bySource.clear();
  }
}
