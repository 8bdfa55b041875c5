// What a start has to undo, undone in reverse on stop (or when the start itself fails): each
// step's failure is logged and the others still run, so one stuck part never keeps the store open.

import type { Logger } from "pino";

export class Stops {
  readonly #steps: Array<() => Promise<void>> = [];

  constructor(private readonly logger: Logger) {}

  push(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  /** Runs every step, last pushed first; each runs once, however often this is called. */
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        this.logger.error({ err }, "error while stopping");
      }
    }
  }
}
