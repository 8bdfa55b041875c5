// A worker-pool thread for src/media/worker-pool.test.ts: echoes, spins the CPU, throws, or posts
// progress and then spins, so the pool's budget, restart and failure paths can be driven.

import { threadId } from "node:worker_threads";
import { serveJobs } from "../../src/media/worker-thread.ts";

export type TestJob =
  | { op: "echo"; value: string }
  | { op: "spin"; ms: number }
  | { op: "throw"; message: string }
  | { op: "progress-then-spin"; value: string; ms: number };
export interface TestResult {
  value: string;
  threadId: number;
  startedAt: number;
  endedAt: number;
}

const spin = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: the thread holds its own event loop, as a long conversion does
  }
};

serveJobs<{ prefix: string }, TestJob, TestResult, string>((job, { data, progress }) => {
  const startedAt = Date.now();
  if (job.op === "throw") throw new RangeError(job.message);
  if (job.op === "spin") spin(job.ms);
  if (job.op === "progress-then-spin") {
    progress(job.value);
    spin(job.ms);
  }
  const value = job.op === "echo" || job.op === "progress-then-spin" ? job.value : "spun";
  return { value: `${data.prefix}${value}`, threadId, startedAt, endedAt: Date.now() };
});
