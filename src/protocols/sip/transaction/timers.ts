// Transaction timer values (RFC 3261 §17, Table 4; RFC 6026 §8 for L and M) and the scheduler
// they run on. Tests inject a ManualClock so retransmission counts never depend on wall time.

export interface TimerConfig {
  /** RTT estimate (default 500 ms). */
  t1: number;
  /** Cap on non-INVITE and response retransmit intervals (default 4 s). */
  t2: number;
  /** How long a message stays in the network (default 5 s). */
  t4: number;
  /** Timer D on unreliable transports; the RFC asks for more than 32 s (default 32 s). */
  d: number;
  /** An INVITE server transaction sends 100 Trying when the TU is silent this long (200 ms). */
  trying: number;
}

export const DEFAULT_TIMERS: Readonly<TimerConfig> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  d: 32_000,
  trying: 200,
});

export function resolveTimers(partial?: Partial<TimerConfig>): TimerConfig {
  return { ...DEFAULT_TIMERS, ...partial };
}

export type TimerHandle = { readonly id: number };

export interface Scheduler {
  set(fn: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** The real clock: setTimeout, unref'd so a forgotten transaction never holds the process open. */
export const realScheduler: Scheduler = (() => {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    set(fn, ms) {
      const id = ++next;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      t.unref();
      live.set(id, t);
      return { id };
    },
    clear(handle) {
      const t = live.get(handle.id);
      if (t) clearTimeout(t);
      live.delete(handle.id);
    },
  };
})();

/** A clock that moves only when told; timers fire in due order, ties in creation order. */
export class ManualClock implements Scheduler {
  #now = 0;
  #next = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  get now(): number {
    return this.#now;
  }

  get pending(): number {
    return this.#timers.size;
  }

  set(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { id };
  }

  clear(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, including ones set meanwhile. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.#timers) {
        if (t.at <= until && t.at < dueAt) {
          dueAt = t.at;
          dueId = id;
        }
      }
      if (dueId < 0) break;
      const timer = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#now = dueAt;
      timer.fn();
    }
    this.#now = until;
  }
}
