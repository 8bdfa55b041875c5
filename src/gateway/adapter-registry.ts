// The adapters the gateway sends through, looked up by target address. Registration is one line
// per adapter at the composition root; the gateway itself names no protocol.

import type { Address } from "../core/address.ts";
import type { Adapter } from "../core/ports.ts";

export class AdapterRegistry {
  readonly #adapters: Adapter[] = [];

  register(adapter: Adapter): this {
    this.#adapters.push(adapter);
    return this;
  }

  for(address: Address): Adapter | undefined {
    return this.#adapters.find((a) => a.handles(address));
  }

  all(): readonly Adapter[] {
    return this.#adapters;
  }
}
