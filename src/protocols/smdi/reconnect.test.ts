// Tests for the SMDI link's redial (GR-283-CORE leaves reconnection to us): its default timing,
// growth, cap and reset through core/backoff.ts, and the start/stop factory driven by a fake clock.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reconnect, type Timers } from "./reconnect.ts";

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

  it("redials after 500 ms less up to 20 % jitter when no timing is given", () => {
    const clock = fakeTimers();
    const low = reconnect({
      attempt: () => {},
      backoff: { random: () => 0 },
      timers: clock.timers,
    });
    assert.equal(low.schedule(), 400);
    assert.equal(low.schedule(), 800);
    low.stop();
    const high = reconnect({
      attempt: () => {},
      backoff: { random: () => 1 },
      timers: clock.timers,
    });
    assert.equal(high.schedule(), 500);
    high.stop();
    const plain = reconnect({ attempt: () => {}, timers: clock.timers });
    const first = plain.schedule();
    assert.ok(first >= 400 && first <= 500, `${first}`);
    plain.stop();
  });
});
