import assert from "node:assert/strict";
import { test } from "node:test";
import { manualClock } from "../../../test/support/manual-clock.ts";
import { InactivityWatch } from "./inactivity.ts";

test("no packet for the timeout fires once; packets keep it quiet", async () => {
  const clock = manualClock();
  const fired: number[] = [];
  const watch = new InactivityWatch(clock, 1500, (idle) => fired.push(idle));
  for (let i = 0; i < 100; i++) {
    watch.packet();
    await clock.advance(100);
  }
  assert.deepEqual(fired, [], "10 s of packets every 100 ms: alive");
  // The last packet came at the start of the last 100 ms step.
  await clock.advance(1300);
  assert.deepEqual(fired, []);
  await clock.advance(200);
  assert.equal(fired.length, 1);
  assert.ok(fired[0]! >= 1500);
  await clock.advance(10_000);
  assert.equal(fired.length, 1, "reported once");
  watch.stop();
});

test("a session that never gets a packet times out from the start; stop() cancels", async () => {
  const clock = manualClock();
  let fired = 0;
  new InactivityWatch(clock, 500, () => fired++);
  const stopped = new InactivityWatch(clock, 500, () => fired++);
  stopped.stop();
  await clock.advance(600);
  assert.equal(fired, 1);
  assert.throws(() => new InactivityWatch(clock, 0, () => {}), RangeError);
});
