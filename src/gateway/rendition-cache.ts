// Renditions are computed once per communication and target style and shared by every delivery
// that needs them; a small LRU of in-flight or finished conversions.

import type { Rendition } from "../core/rendition.ts";

export class RenditionCache {
  readonly #entries = new Map<string, Promise<Rendition>>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => Promise<Rendition>): Promise<Rendition> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute();
    // A failed conversion is not cached: the next attempt computes it again.
    value.catch(() => this.#entries.delete(key));
    this.#entries.set(key, value);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return value;
  }
}
