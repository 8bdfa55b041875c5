import assert from "node:assert/strict";
import { test } from "node:test";
import { concatPcm } from "../src/media/pcm.ts";
import { prng } from "../test/support/prng.ts";
import { FRAME_SAMPLES, frameLossCounter } from "./frame-loss.ts";

function noise(frames: number): Int16Array {
  const next = prng(7);
  return Int16Array.from(
    { length: frames * FRAME_SAMPLES },
    () => Math.floor(next() * 20000) - 10000,
  );
}

const frames = (pcm: Int16Array, from: number, to: number) =>
  pcm.subarray(from * FRAME_SAMPLES, to * FRAME_SAMPLES);

test("a recording of everything sent has no loss", () => {
  const sent = noise(50);
  assert.deepEqual(frameLossCounter(sent)(sent.slice()), {
    lost: 0,
    lostInside: 0,
    lostHead: 0,
    extra: 0,
  });
});

test("a frame replaced by silence counts as lost inside, and the silence as extra", () => {
  const sent = noise(50);
  const recorded = concatPcm([
    frames(sent, 0, 20),
    new Int16Array(FRAME_SAMPLES),
    frames(sent, 21, 50),
  ]);
  assert.deepEqual(frameLossCounter(sent)(recorded), {
    lost: 1,
    lostInside: 1,
    lostHead: 0,
    extra: 1,
  });
});

test("frames cut at the start or the end are lost, not lost inside; nothing recorded loses all", () => {
  const sent = noise(50);
  const count = frameLossCounter(sent);
  assert.deepEqual(count(frames(sent, 3, 48)), { lost: 5, lostInside: 0, lostHead: 3, extra: 0 });
  assert.deepEqual(count(new Int16Array(0)), { lost: 50, lostInside: 0, lostHead: 50, extra: 0 });
});

test("audio that repeats a frame cannot be counted", () => {
  const tone = new Int16Array(10 * FRAME_SAMPLES).fill(1000);
  assert.throws(() => frameLossCounter(tone), RangeError);
});
