import assert from "node:assert/strict";
import { test } from "node:test";
import { manualClock } from "../../../test/support/manual-clock.ts";
import { IdleFill } from "./idle-fill.ts";

function setup(gapMs = 200) {
  const clock = manualClock();
  const events: string[] = [];
  let frames = 0;
  const fill = new IdleFill({
    clock,
    gapMs,
    onGap: () => events.push(`gap@${frames}`),
    emit: () => frames++,
  });
  return { clock, fill, events, frames: () => frames };
}

test("a stream that never starts is silence at real-time pace from the start", async () => {
  const { clock, fill, events, frames } = setup();
  await clock.advance(190);
  assert.equal(frames(), 0, "nothing before the gap threshold");
  await clock.advance(3000 - 190);
  // 3 s of silence = 150 frames, whatever the timer granularity.
  assert.ok(frames() >= 149 && frames() <= 150, `frames ${frames()}`);
  assert.deepEqual(events, ["gap@0"]);
  fill.stop();
  await clock.advance(1000);
  assert.ok(frames() <= 150, "stop() ends the fill");
});

test("audio packets hold the fill off; silence counts from the last packet on", async () => {
  const { clock, fill, events, frames } = setup();
  for (let i = 0; i < 50; i++) {
    fill.audio();
    await clock.advance(20);
  }
  assert.equal(frames(), 0, "a live stream gets no filler");
  await clock.advance(1000);
  // The last packet came 1000 ms ago (plus the last 20 ms step): about 50 frames of silence.
  assert.ok(frames() >= 49 && frames() <= 51, `frames ${frames()}`);
  fill.audio(); // the caller talks again
  const before = frames();
  await clock.advance(100);
  assert.equal(frames(), before, "no filler while audio flows");
  await clock.advance(500);
  assert.deepEqual(events, ["gap@0", `gap@${before}`], "each new gap drains the window once");
  fill.stop();
});

test("a stall is caught up, not lost: the frame count follows the wall clock", async () => {
  const { clock, fill, frames } = setup();
  await clock.advance(400);
  const at400 = frames();
  // One big step stands for a timer that fired very late.
  clock.setTimeout(() => {}, 0);
  await clock.advance(2000);
  assert.ok(frames() - at400 >= 99 && frames() - at400 <= 101, `frames ${frames() - at400}`);
  fill.stop();
});
