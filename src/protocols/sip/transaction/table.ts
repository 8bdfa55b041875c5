// The live transactions of one endpoint, keyed as RFC 3261 §17.1.3 / §17.2.3 match them. Each
// transaction removes itself when it reaches Terminated, so the table never holds dead entries.

import type { ClientTransaction } from "./client-types.ts";
import type { ServerTransactionBase } from "./server-base.ts";

type AnyServer = ServerTransactionBase<string>;

export class TransactionTable {
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, AnyServer>();

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

  addServer(tx: AnyServer): void {
    this.#servers.set(tx.key, tx);
    tx.onTerminated(() => {
      if (this.#servers.get(tx.key) === tx) this.#servers.delete(tx.key);
    });
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
  }
}
