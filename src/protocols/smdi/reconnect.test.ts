// Tests for the SMDI link's redial backoff (GR-283-CORE leaves reconnection to us): growth, cap,
// jitter bounds, reset, and the start/stop factory driven by a fake clock.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, reconnect, type Timers } from "./reconnect.ts";

function fakeTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  const fire = (): void => {
    const [id, timer] = [...pending][0]!;
    pending.delete(id);
    timer.fn();
  };
  return { timers, pending, fire };
}

describe("backoffDelay", () => {
  const exact = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0 };

  it("grows exponentially and stops at the cap", () => {
    const delays = [0, 1, 2, 3, 4, 5, 100].map((n) => backoffDelay(n, exact));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("spreads by ±jitter and never passes the cap", () => {
    const options = { ...exact, jitter: 0.5 };
    assert.equal(backoffDelay(0, { ...options, random: () => 0 }), 50);
    assert.equal(backoffDelay(0, { ...options, random: () => 0.999999 }), 150);
    assert.equal(backoffDelay(10, { ...options, random: () => 0.999999 }), 1000);
    assert.equal(backoffDelay(10, { ...options, random: () => 0 }), 500);
  });
});

describe("reconnect", () => {
  it("arms one attempt at a time, backs off, and starts over after reset", () => {
    const clock = fakeTimers();
    let attempts = 0;
    const r = reconnect({
      attempt: () => attempts++,
      backoff: { initialDelayMs: 10, maxDelayMs: 35, jitter: 0 },
      timers: clock.timers,
    });
    assert.equal(r.schedule(), 10);
    assert.equal(r.schedule(), 20); // re-arming replaces the pending attempt
    assert.equal(clock.pending.size, 1);
    clock.fire();
    assert.equal(attempts, 1);
    assert.equal(r.pending, false);
    assert.equal(r.schedule(), 35);
    r.stop();
    assert.equal(clock.pending.size, 0);
    r.reset();
    assert.equal(r.schedule(), 10);
    clock.fire();
    assert.equal(attempts, 2);
  });
});
