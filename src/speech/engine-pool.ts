// Bounds how many speech jobs (subprocesses, workers, HTTP calls) run at once, queues the rest FIFO
// up to a limit, and aborts a job on timeout or on the caller's AbortSignal (docs/architecture.md
// "Performance").

import { SpeechBusyError, SpeechTimeoutError } from "./errors.ts";

export interface EnginePoolOptions {
  /** Jobs running at the same time (≥ 1). */
  concurrency: number;
  /** Jobs allowed to wait; one more is rejected with SpeechBusyError. */
  maxQueue: number;
  /** Limit on a job's running time, counted from its start (queue time is bounded by maxQueue). */
  timeoutMs: number;
  /** Names the engine in timeout errors. */
  name?: string;
}

export interface EnginePoolStats {
  running: number;
  queued: number;
  completed: number;
  failed: number;
  timedOut: number;
  rejected: number;
  aborted: number;
}

/** A job must stop its own work (kill the child, terminate the worker) when `signal` aborts. */
export type EngineJob<T> = (signal: AbortSignal) => Promise<T>;

interface Pending {
  start: () => void;
  cancel: (reason: unknown) => void;
}

export class EnginePool {
  readonly #opts: EnginePoolOptions;
  readonly #queue: Pending[] = [];
  /** Each running job's controller, with a function that aborts it and rejects its caller. */
  readonly #running = new Map<AbortController, (reason: unknown) => void>();
  #closed = false;
  #counts = { completed: 0, failed: 0, timedOut: 0, rejected: 0, aborted: 0 };

  constructor(opts: EnginePoolOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError("EnginePool: concurrency must be ≥ 1");
    if (!(opts.maxQueue >= 0)) throw new RangeError("EnginePool: maxQueue must be ≥ 0");
    if (!(opts.timeoutMs > 0)) throw new RangeError("EnginePool: timeoutMs must be > 0");
    this.#opts = { ...opts };
  }

  get stats(): EnginePoolStats {
    return { running: this.#running.size, queued: this.#queue.length, ...this.#counts };
  }

  run<T>(job: EngineJob<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    const outer = opts.signal;
    if (this.#closed) return Promise.reject(new Error("EnginePool is closed"));
    if (outer?.aborted) {
      this.#counts.aborted++;
      return Promise.reject(outer.reason);
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        outer?.removeEventListener("abort", onAbort);
        fn();
      };
      let onAbort = () => {
        // Still queued: drop it without ever starting the work.
        const i = this.#queue.indexOf(pending);
        if (i >= 0) this.#queue.splice(i, 1);
        this.#counts.aborted++;
        settle(() => reject(outer?.reason));
      };
      const pending: Pending = {
        cancel: (reason) => settle(() => reject(reason)),
        start: () => {
          if (settled) return;
          const controller = new AbortController();
          this.#running.set(controller, (reason) => {
            controller.abort(reason);
            settle(() => reject(reason));
          });
          const timer = setTimeout(() => {
            this.#counts.timedOut++;
            const err = new SpeechTimeoutError(this.#opts.timeoutMs, this.#opts.name);
            controller.abort(err);
            settle(() => reject(err));
          }, this.#opts.timeoutMs);
          outer?.removeEventListener("abort", onAbort);
          onAbort = () => {
            this.#counts.aborted++;
            controller.abort(outer?.reason);
            settle(() => reject(outer?.reason));
          };
          outer?.addEventListener("abort", onAbort, { once: true });
          let work: Promise<T>;
          try {
            work = job(controller.signal);
          } catch (err) {
            work = Promise.reject(err);
          }
          work
            .then(
              (value) => {
                if (!settled) this.#counts.completed++;
                settle(() => resolve(value));
              },
              (err: unknown) => {
                if (!settled) this.#counts.failed++;
                settle(() => reject(err));
              },
            )
            .finally(() => {
              // The slot is freed only when the work itself has stopped, so an aborted job that is
              // still shutting its subprocess down keeps counting against the limit.
              clearTimeout(timer);
              this.#running.delete(controller);
              this.#next();
            });
        },
      };
      outer?.addEventListener("abort", onAbort, { once: true });
      if (this.#running.size < this.#opts.concurrency) {
        pending.start();
      } else if (this.#queue.length < this.#opts.maxQueue) {
        this.#queue.push(pending);
      } else {
        this.#counts.rejected++;
        settle(() => reject(new SpeechBusyError(this.#opts.maxQueue)));
      }
    });
  }

  /** Rejects queued jobs and aborts running ones; later run() calls reject. */
  close(reason: unknown = new Error("EnginePool closed")): void {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.cancel(reason);
    for (const stop of this.#running.values()) stop(reason);
  }

  #next(): void {
    while (this.#running.size < this.#opts.concurrency && this.#queue.length > 0) {
      this.#queue.shift()!.start();
    }
  }
}
