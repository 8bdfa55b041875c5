// Presence of the XMPP JIDs the adapter delivers to (RFC 6121 §4): which resources of a bare JID
// are available, from `<presence/>` and `type="unavailable"`, and a bounced delivery
// (service-unavailable). Listeners hear when a bare JID becomes available again.

export type PresenceState = "available" | "unavailable";

export type PresenceListener = (bareJid: string) => void;

export class PresenceTracker {
  readonly #resources = new Map<string, Set<string>>();
  readonly #state = new Map<string, PresenceState>();
  readonly #listeners = new Set<PresenceListener>();

  onAvailable(listener: PresenceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** "available", "unavailable", or undefined when nothing was heard from the JID. */
  state(bare: string): PresenceState | undefined {
    return this.#state.get(bare);
  }

  /** `<presence/>` (no type) from `bare`/`resource`; fires the listeners when it was not available. */
  available(bare: string, resource = ""): void {
    const set = this.#resources.get(bare) ?? new Set<string>();
    this.#resources.set(bare, set);
    set.add(resource);
    const before = this.#state.get(bare);
    this.#state.set(bare, "available");
    if (before !== "available") for (const listener of this.#listeners) listener(bare);
  }

  /** `type="unavailable"` from one resource (or the bare JID: all of them). */
  unavailable(bare: string, resource?: string): void {
    const set = this.#resources.get(bare);
    if (set && resource !== undefined) {
      set.delete(resource);
      if (set.size > 0) return;
    }
    this.#resources.delete(bare);
    this.#state.set(bare, "unavailable");
  }

  /** The component lost its stream: every presence it heard is stale. */
  clear(): void {
    this.#resources.clear();
    this.#state.clear();
  }
}
