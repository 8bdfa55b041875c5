// The thread side of worker-pool.ts: serveJobs() answers the pool's jobs one at a time with a
// handler, reporting progress (what the pool keeps if the thread is then lost) and failures.

import { parentPort, workerData } from "node:worker_threads";
import type { FromThread, PoolWorkerData, ToThread } from "./worker-pool.ts";

export interface JobContext<D, P> {
  /** The pool's `data` option. */
  data: D;
  /** Hands the pool a partial result to keep should the job not finish. */
  progress(value: P): void;
}

export function serveJobs<D, T, R, P = never>(
  handler: (input: T, ctx: JobContext<D, P>) => R | Promise<R>,
): void {
  const port = parentPort;
  if (!port) return;
  const data = (workerData as PoolWorkerData).data as D;
  const post = (msg: FromThread<R, P>) => port.postMessage(msg);
  port.on("message", (job: ToThread<T>) => {
    void (async () => {
      try {
        const ctx: JobContext<D, P> = {
          data,
          progress: (value) => post({ type: "progress", id: job.id, value }),
        };
        post({ type: "done", id: job.id, value: await handler(job.input, ctx) });
      } catch (err) {
        post({
          type: "failed",
          id: job.id,
          message: err instanceof Error ? err.message : String(err),
          ...(err instanceof Error ? { name: err.name } : {}),
        });
      }
    })();
  });
  post({ type: "ready" });
}
