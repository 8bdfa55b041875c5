import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, describe, it } from "node:test";
import pino from "pino";
import type { TestJob, TestResult } from "../../test/support/pool-test-worker.ts";
import { createWorkerPool, type JobOutcome } from "./worker-pool.ts";

const logger = pino({ level: "silent" });
const entry = new URL("../../test/support/pool-test-worker.ts", import.meta.url);

const pool = (size: number, budgetMs = 10_000) =>
  createWorkerPool<TestJob, TestResult, string>({
    name: "test-pool",
    entry,
    data: { prefix: "p:" },
    size,
    budgetMs,
    logger,
  });

function value(o: JobOutcome<TestResult, string>): TestResult {
  assert.ok(o.ok, `job failed: ${o.ok ? "" : `${o.reason} ${o.message}`}`);
  return o.value;
}

describe("worker pool", () => {
  const two = pool(2);
  after(() => two.close());

  it("runs a job in a thread with the pool's data", async () => {
    const r = value(await two.run({ op: "echo", value: "hello" }));
    assert.equal(r.value, "p:hello");
    assert.notEqual(r.threadId, 0, "not the main thread");
  });

  it("runs as many jobs at once as it has threads, and queues the rest", async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const jobs = await Promise.all(
      [1, 2, 3, 4].map(() => two.run({ op: "spin", ms: 600 })).map(async (p) => value(await p)),
    );
    delay.disable();
    assert.equal(new Set(jobs.map((j) => j.threadId)).size, 2, "two threads shared the work");
    assert.ok(two.threads() <= 2, `at most two threads, ${two.threads()} alive`);
    // At each job's start, count the jobs running then: never more than the pool's size.
    for (const j of jobs) {
      const running = jobs.filter((o) => o.startedAt <= j.startedAt && o.endedAt > j.startedAt);
      assert.ok(running.length <= 2, `${running.length} jobs ran at once`);
    }
    // Generous: 2.4 s of spinning on the main thread would come near it.
    assert.ok(delay.max / 1e6 < 1000, `event loop delayed ${delay.max / 1e6} ms`);
  });

  it("passes a failure on with the error's message and class", async () => {
    const o = await two.run({ op: "throw", message: "bad input" });
    assert.equal(o.ok, false);
    if (o.ok) return;
    assert.equal(o.reason, "failed");
    assert.equal(o.message, "bad input");
    assert.equal(o.errorName, "RangeError");
    // The thread that threw goes on serving.
    assert.equal(value(await two.run({ op: "echo", value: "x" })).value, "p:x");
  });

  it("terminates a job over its budget, keeps its progress, and starts a new thread", async () => {
    const slow = pool(1, 500);
    try {
      const first = value(await slow.run({ op: "echo", value: "a" }));
      const o = await slow.run({ op: "progress-then-spin", value: "half", ms: 30_000 });
      assert.equal(o.ok, false);
      if (o.ok) return;
      assert.equal(o.reason, "budget");
      assert.match(o.message, /within 500 ms/);
      assert.equal(o.progress, "half");
      const next = value(await slow.run({ op: "echo", value: "b" }));
      assert.equal(next.value, "p:b");
      assert.notEqual(next.threadId, first.threadId, "a fresh thread took the next job");
    } finally {
      await slow.close();
    }
  });

  it("answers a waiting job behind an over-budget one", async () => {
    const slow = pool(1, 500);
    try {
      const [a, b] = await Promise.all([
        slow.run({ op: "spin", ms: 30_000 }),
        slow.run({ op: "echo", value: "queued" }),
      ]);
      assert.equal(a.ok ? "ok" : a.reason, "budget");
      assert.equal(value(b).value, "p:queued");
    } finally {
      await slow.close();
    }
  });

  it("fails every job when its thread cannot start", async () => {
    const broken = createWorkerPool<TestJob, TestResult>({
      name: "broken",
      entry: new URL("./no-such-worker.ts", import.meta.url),
      size: 1,
      budgetMs: 10_000,
      logger,
    });
    try {
      const o = await broken.run({ op: "echo", value: "x" });
      assert.equal(o.ok, false);
      if (!o.ok) assert.equal(o.reason, "unavailable");
    } finally {
      await broken.close();
    }
  });

  it("answers pending and later jobs with closed", async () => {
    const closing = pool(1);
    const pending = closing.run({ op: "spin", ms: 30_000 });
    await new Promise((r) => setTimeout(r, 50));
    await closing.close();
    const o = await pending;
    assert.equal(o.ok ? "ok" : o.reason, "closed");
    const later = await closing.run({ op: "echo", value: "x" });
    assert.equal(later.ok ? "ok" : later.reason, "closed");
    assert.equal(closing.threads(), 0);
  });
});

describe("worker pool, idle threads", () => {
  it("starts no thread before a job and retires a thread idle for idleMs", async () => {
    const lazy = createWorkerPool<TestJob, TestResult, string>({
      name: "test-pool",
      entry,
      data: { prefix: "p:" },
      size: 2,
      budgetMs: 10_000,
      idleMs: 300,
      logger,
    });
    try {
      assert.equal(lazy.threads(), 0, "nothing runs before the first job");
      const first = value(await lazy.run({ op: "echo", value: "a" }));
      assert.equal(lazy.threads(), 1);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(lazy.threads(), 0, "the idle thread was stopped");
      const again = value(await lazy.run({ op: "echo", value: "b" }));
      assert.equal(again.value, "p:b", "a new thread takes the next job");
      assert.notEqual(again.threadId, first.threadId);
    } finally {
      await lazy.close();
    }
  });
});
