import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { EnginePool } from "./engine-pool.ts";
import { SpeechBusyError, SpeechTimeoutError } from "./errors.ts";

/** A job that resolves when told to, and records whether its signal fired. */
function controllable<T>(value: T) {
  let release!: () => void;
  const state = { started: false, aborted: false, reason: undefined as unknown };
  const job = (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      state.started = true;
      release = () => resolve(value);
      signal.addEventListener("abort", () => {
        state.aborted = true;
        state.reason = signal.reason;
        reject(signal.reason);
      });
    });
  return { job, state, release: () => release() };
}

describe("EnginePool", () => {
  it("runs at most `concurrency` jobs and starts queued ones in FIFO order", async () => {
    const pool = new EnginePool({ concurrency: 2, maxQueue: 10, timeoutMs: 5000 });
    const order: number[] = [];
    let active = 0;
    let maxActive = 0;
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      pool.run(async () => {
        order.push(i);
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(10);
        active--;
        return i * 10;
      }),
    );
    assert.deepEqual(pool.stats.running, 2);
    assert.deepEqual(pool.stats.queued, 3);
    assert.deepEqual(await Promise.all(jobs), [0, 10, 20, 30, 40]);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(maxActive, 2);
    assert.equal(pool.stats.completed, 5);
    assert.equal(pool.stats.running, 0);
  });

  it("rejects with SpeechBusyError when the queue is full", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 1, timeoutMs: 5000 });
    const a = controllable("a");
    const b = controllable("b");
    const pa = pool.run(a.job);
    const pb = pool.run(b.job);
    await assert.rejects(
      pool.run(async () => "c"),
      SpeechBusyError,
    );
    assert.equal(pool.stats.rejected, 1);
    a.release();
    assert.equal(await pa, "a");
    await sleep(0);
    assert.ok(b.state.started);
    b.release();
    assert.equal(await pb, "b");
  });

  it("times a running job out: aborts its signal with SpeechTimeoutError and frees the slot", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 5, timeoutMs: 30, name: "slow" });
    const slow = controllable("never");
    const p = pool.run(slow.job);
    const after = pool.run(async () => "next");
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof SpeechTimeoutError);
      assert.equal(err.code, "OMNIVOX_ERR_SPEECH_TIMEOUT");
      assert.match(err.message, /"slow".*30 ms/);
      return true;
    });
    assert.ok(slow.state.aborted);
    assert.ok(slow.state.reason instanceof SpeechTimeoutError);
    assert.equal(await after, "next");
    assert.equal(pool.stats.timedOut, 1);
  });

  it("the caller's signal aborts a running job and removes a queued one unstarted", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 5, timeoutMs: 5000 });
    const running = controllable("r");
    const queued = controllable("q");
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const p1 = pool.run(running.job, { signal: ac1.signal });
    const p2 = pool.run(queued.job, { signal: ac2.signal });
    ac2.abort(new Error("caller gave up"));
    await assert.rejects(p2, /caller gave up/);
    assert.equal(pool.stats.queued, 0);
    ac1.abort(new Error("hang up"));
    await assert.rejects(p1, /hang up/);
    assert.ok(running.state.aborted);
    await sleep(0);
    assert.equal(queued.state.started, false);
    assert.equal(pool.stats.aborted, 2);
    assert.equal(pool.stats.running, 0);
  });

  it("rejects at once for an already-aborted signal and passes job errors through", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 0, timeoutMs: 1000 });
    let ran = false;
    await assert.rejects(
      pool.run(
        async () => {
          ran = true;
        },
        { signal: AbortSignal.abort(new Error("already")) },
      ),
      /already/,
    );
    assert.equal(ran, false);
    await assert.rejects(
      pool.run(async () => {
        throw new Error("engine broke");
      }),
      /engine broke/,
    );
    assert.equal(pool.stats.failed, 1);
  });

  it("keeps the slot until an aborted job has really stopped", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 5, timeoutMs: 20 });
    let stopped = false;
    const p = pool.run(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () =>
            setTimeout(() => {
              stopped = true;
              reject(signal.reason);
            }, 40),
          ),
        ),
    );
    let nextStartedWhileStopping = false;
    const next = pool.run(async () => {
      nextStartedWhileStopping = !stopped;
    });
    await assert.rejects(p, SpeechTimeoutError);
    assert.equal(pool.stats.running, 1);
    await next;
    assert.equal(nextStartedWhileStopping, false);
  });

  it("close() rejects queued and aborts running jobs", async () => {
    const pool = new EnginePool({ concurrency: 1, maxQueue: 5, timeoutMs: 5000 });
    const r = controllable(1);
    const p1 = pool.run(r.job);
    const p2 = pool.run(async () => 2);
    pool.close(new Error("shutdown"));
    await assert.rejects(p1, /shutdown/);
    await assert.rejects(p2, /shutdown/);
    assert.ok(r.state.aborted);
    await assert.rejects(
      pool.run(async () => 3),
      /closed/,
    );
  });
});
