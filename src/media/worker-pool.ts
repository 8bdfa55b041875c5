// A small pool of worker threads (node:worker_threads) that run CPU-heavy jobs (mail parsing,
// audio conversion) away from the event loop that carries SIP, RTP and HTTP, each job within a
// time budget: a job over it has its thread terminated and a fresh thread takes the next one.
// The thread side is worker-thread.ts. run() never rejects: it answers with an outcome.

import { Worker } from "node:worker_threads";
import type { Logger } from "pino";

export interface WorkerPoolOptions {
  /** Names the pool in logs ("mail-parser", "audio"). */
  name: string;
  /** The module the thread runs; it calls serveJobs() from worker-thread.ts. */
  entry: URL;
  /** Structured-cloneable settings the thread's handler receives as `data`. */
  data?: unknown;
  /** Threads, at least one. */
  size: number;
  /** Longest a job may take, from the moment a thread takes it. */
  budgetMs: number;
  /** Heap cap of each thread (V8 old generation): a job that needs more is cut off too. */
  memoryMb?: number;
  /**
   * A thread with nothing to do for this long is stopped (default 30 s; the next job starts one
   * again). Idle threads are not free: while any worker thread exists, the main thread's SIP
   * call set-ups measured about 45 % slower (`npm run bench`), so a pool holds none it does not use.
   */
  idleMs?: number;
  logger: Logger;
}

/** Why a job has no result: over its budget, failed in the handler, thread lost, pool closed. */
export type JobFailure = "budget" | "failed" | "stopped" | "unavailable" | "closed";

export type JobOutcome<R, P> =
  | { ok: true; value: R }
  | {
      ok: false;
      reason: JobFailure;
      /** What went wrong, fit for a log line or a user-facing warning. */
      message: string;
      /** For `failed`: the class name of what the handler threw. */
      errorName?: string;
      /** The last progress value the thread posted before it was lost (see serveJobs). */
      progress?: P;
    };

export interface WorkerPool<T, R, P = never> {
  run(input: T): Promise<JobOutcome<R, P>>;
  /** Warms the threads up so the next job does not wait for one to load (they retire when idle). */
  start(): void;
  /** Answers every pending job with `closed` and stops the threads. */
  close(): Promise<void>;
  /** Threads alive (loading or ready); for tests and metrics. */
  threads(): number;
}

/** What a thread is started with (read by worker-thread.ts). */
export interface PoolWorkerData {
  tsx: string;
  entry: string;
  data: unknown;
}
export interface ToThread<T> {
  id: number;
  input: T;
}
export type FromThread<R, P> =
  | { type: "ready" }
  | { type: "progress"; id: number; value: P }
  | { type: "done"; id: number; value: R }
  /** `name` is the thrown error's class name, so the pool's owner can tell input errors apart. */
  | { type: "failed"; id: number; message: string; name?: string };

/**
 * The thread loads its entry through tsx registered inside it: `bin/omnivox.js` registers tsx
 * in-process, which a worker does not inherit (under `node --import tsx` it is registered twice,
 * which is harmless).
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;
const TSX = import.meta.resolve("tsx/esm/api");

interface Job<T, R, P> {
  id: number;
  input: T;
  resolve: (outcome: JobOutcome<R, P>) => void;
  progress?: P;
  timer?: NodeJS.Timeout;
}

interface Thread<T, R, P> {
  worker: Worker;
  ready: boolean;
  job?: Job<T, R, P>;
  idleTimer?: NodeJS.Timeout;
}

export function createWorkerPool<T, R, P = never>(options: WorkerPoolOptions): WorkerPool<T, R, P> {
  const size = Math.max(1, options.size);
  const { budgetMs } = options;
  const idleMs = options.idleMs ?? 30_000;
  const logger = options.logger.child({ component: options.name });
  const bootData: PoolWorkerData = {
    tsx: TSX,
    entry: options.entry.href,
    data: options.data ?? null,
  };
  const threads = new Set<Thread<T, R, P>>();
  const queue: Job<T, R, P>[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (job: Job<T, R, P>, outcome: JobOutcome<R, P>) => {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.resolve(outcome);
  };
  const fail = (job: Job<T, R, P>, reason: JobFailure, message: string, errorName?: string) => {
    const outcome: JobOutcome<R, P> = { ok: false, reason, message };
    if (errorName !== undefined) outcome.errorName = errorName;
    if (job.progress !== undefined) outcome.progress = job.progress;
    finish(job, outcome);
  };

  const spawn = (): Thread<T, R, P> => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: bootData,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb ?? 512 },
    });
    worker.unref();
    const thread: Thread<T, R, P> = { worker, ready: false };
    threads.add(thread);
    worker.on("message", (msg: FromThread<R, P>) => {
      if (msg.type === "ready") {
        thread.ready = true;
        pump();
        return;
      }
      const job = thread.job;
      if (!job || job.id !== msg.id) return;
      if (msg.type === "progress") {
        job.progress = msg.value;
        return;
      }
      thread.job = undefined;
      if (msg.type === "done") finish(job, { ok: true, value: msg.value });
      else fail(job, "failed", msg.message, msg.name);
      pump();
    });
    const gone = (why: string) => {
      if (!threads.delete(thread)) return;
      const job = thread.job;
      thread.job = undefined;
      if (job) fail(job, "stopped", why);
      if (!thread.ready && !job) {
        // It never loaded: failing the queue beats spawning a thread per waiting job forever.
        logger.error({ why }, "worker thread did not start; failing the waiting jobs");
        for (const waiting of queue.splice(0)) fail(waiting, "unavailable", `no thread (${why})`);
      }
      pump();
    };
    worker.on("error", (err) => gone(`stopped (${err.message})`));
    worker.on("exit", (code) => gone(`exited (${code})`));
    return thread;
  };

  const retire = (thread: Thread<T, R, P>) => {
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    thread.idleTimer = undefined;
    threads.delete(thread);
    void thread.worker.terminate();
  };

  const run = (thread: Thread<T, R, P>, job: Job<T, R, P>) => {
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    thread.idleTimer = undefined;
    thread.job = job;
    job.timer = setTimeout(() => {
      logger.warn({ budgetMs }, "job over its budget; thread terminated");
      thread.job = undefined;
      retire(thread);
      fail(job, "budget", `not finished within ${budgetMs} ms`);
      pump();
    }, budgetMs);
    thread.worker.postMessage({ id: job.id, input: job.input } satisfies ToThread<T>);
  };

  const pump = () => {
    if (closed) return;
    while (queue.length > 0) {
      const idle = [...threads].find((t) => t.ready && !t.job);
      if (idle) {
        run(idle, queue.shift() as Job<T, R, P>);
        continue;
      }
      const loading = [...threads].filter((t) => !t.ready).length;
      // One thread loading per waiting job at most, and never more than the pool's size.
      if (threads.size < size && loading < queue.length) spawn();
      else break;
    }
    for (const thread of threads) {
      if (!thread.ready || thread.job || thread.idleTimer) continue;
      thread.idleTimer = setTimeout(() => retire(thread), idleMs);
      thread.idleTimer.unref();
    }
  };

  return {
    run(input) {
      if (closed) return Promise.resolve({ ok: false, reason: "closed", message: "pool closed" });
      return new Promise<JobOutcome<R, P>>((resolve) => {
        queue.push({ id: nextId++, input, resolve });
        pump();
      });
    },
    start() {
      while (!closed && threads.size < size) spawn();
    },
    threads: () => threads.size,
    async close() {
      closed = true;
      const all = [...threads];
      threads.clear();
      for (const thread of all) {
        if (thread.idleTimer) clearTimeout(thread.idleTimer);
        if (thread.job) fail(thread.job, "closed", "pool closed");
      }
      for (const job of queue.splice(0)) fail(job, "closed", "pool closed");
      await Promise.all(all.map((t) => t.worker.terminate()));
    },
  };
}
