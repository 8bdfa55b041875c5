// The location service's binding table (RFC 3261 §10.3, §10.2.1): contacts per address-of-record
// with absolute expiry, plus change events so MWI can notify phones that appear (RFC 3842 §5).

export interface SourceAddress {
  host: string;
  port: number;
  /** "UDP", "TCP", … — where the REGISTER came from, for reaching a phone behind NAT. */
  transport: string;
  /**
   * The REGISTER's top Via sent-by as the sender wrote it ("host:port"): when it is the
   * Contact's own address, the phone registered itself and its flow reaches it; otherwise a
   * third party registered the Contact (RFC 3261 §10.2) and the Contact is used.
   */
  sentBy?: string;
}

export interface Binding {
  readonly aor: string;
  readonly userId: string;
  /** Contact URI as registered. */
  readonly contact: string;
  /** Comparison key of the contact URI. */
  readonly key: string;
  /** Milliseconds since the epoch on the injected clock. */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  readonly q?: string;
  readonly instance?: string;
  readonly source?: SourceAddress;
  /**
   * The REGISTER's Path (RFC 3327), top first: the proxies a request to this phone must pass,
   * sent as its preloaded Route set (§5.3).
   */
  readonly path?: readonly string[];
  readonly registeredAt: number;
}

export type BindingEventType = "added" | "refreshed" | "removed" | "expired";

export interface BindingEvent {
  type: BindingEventType;
  binding: Binding;
}

export type BindingListener = (event: BindingEvent) => void;

export class BindingTable {
  readonly #byAor = new Map<string, Map<string, Binding>>();
  readonly #listeners = new Set<BindingListener>();

  /** Bindings of `aor` still valid at `now`, in registration order. */
  active(aor: string, now: number): Binding[] {
    const map = this.#byAor.get(aor);
    if (map === undefined) return [];
    return [...map.values()].filter((b) => b.expiresAt > now);
  }

  aors(): string[] {
    return [...this.#byAor.keys()];
  }

  /**
   * Applies a validated set of changes at once (§10.3 step 7 commits all or nothing). Bindings
   * that had lapsed before `now` but were not yet swept are reported as expired, not removed.
   */
  commit(aor: string, upserts: readonly Binding[], removals: readonly string[], now: number): void {
    let map = this.#byAor.get(aor);
    const events: BindingEvent[] = [];
    for (const key of removals) {
      const old = map?.get(key);
      if (old === undefined) continue;
      map!.delete(key);
      events.push({ type: old.expiresAt > now ? "removed" : "expired", binding: old });
    }
    for (const binding of upserts) {
      if (map === undefined) {
        map = new Map();
        this.#byAor.set(aor, map);
      }
      const old = map.get(binding.key);
      map.set(binding.key, binding);
      if (old !== undefined && old.expiresAt <= now) events.push({ type: "expired", binding: old });
      const live = old !== undefined && old.expiresAt > now;
      events.push({ type: live ? "refreshed" : "added", binding });
    }
    if (map !== undefined && map.size === 0) this.#byAor.delete(aor);
    this.#emit(events);
  }

  /** Removes bindings whose expiry has passed at `now`; returns them. */
  sweep(now: number): Binding[] {
    const expired: Binding[] = [];
    for (const [aor, map] of this.#byAor) {
      for (const [key, binding] of map) {
        if (binding.expiresAt > now) continue;
        map.delete(key);
        expired.push(binding);
      }
      if (map.size === 0) this.#byAor.delete(aor);
    }
    this.#emit(expired.map((binding) => ({ type: "expired", binding })));
    return expired;
  }

  onChange(listener: BindingListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(events: readonly BindingEvent[]): void {
    for (const event of events) {
      for (const listener of this.#listeners) {
        // A failing listener must not undo or hide a committed change from the others.
        try {
          listener(event);
        } catch {}
      }
    }
  }
}
