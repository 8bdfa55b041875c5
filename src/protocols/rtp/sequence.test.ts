// Tests for RTP sequence and timestamp wrap-around arithmetic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  SequenceUnwrapper,
  seqAdd,
  seqDiff,
  seqLessThan,
  seqNext,
  TimestampUnwrapper,
  tsAdd,
  tsDiff,
  tsLessThan,
} from "./sequence.ts";

describe("16-bit sequence numbers", () => {
  it("measures distance across the wrap", () => {
    assert.equal(seqDiff(5, 3), 2);
    assert.equal(seqDiff(3, 5), -2);
    assert.equal(seqDiff(0, 65535), 1);
    assert.equal(seqDiff(65535, 0), -1);
    assert.equal(seqDiff(10, 65530), 16);
    assert.equal(seqDiff(32767, 0), 32767);
    assert.equal(seqDiff(32768, 0), -32768, "half-way is ambiguous and reads as older");
  });

  it("orders and steps across the wrap", () => {
    assert.equal(seqLessThan(65535, 0), true);
    assert.equal(seqLessThan(0, 65535), false);
    assert.equal(seqLessThan(7, 7), false);
    assert.equal(seqNext(65535), 0);
    assert.equal(seqAdd(65530, 10), 4);
    assert.equal(seqAdd(3, -5), 65534);
  });

  it("unwraps to a monotonic count and places late packets in their old cycle", () => {
    const u = new SequenceUnwrapper();
    assert.equal(u.highest, -1);
    assert.deepEqual(
      [65533, 65534, 65535, 0, 1, 65534, 2].map((s) => u.unwrap(s)),
      [65533, 65534, 65535, 65536, 65537, 65534, 65538],
    );
    assert.equal(u.highest, 65538);
    for (let i = 0; i < 3 * 65536; i += 1000) u.unwrap((65538 + i) & 0xffff);
    assert.ok(u.highest > 3 * 65536);
    u.reset();
    assert.equal(u.unwrap(9), 9);
    assert.equal(u.unwrap(65535), -1, "straggler from before the seed");
  });
});

describe("32-bit timestamps", () => {
  it("measures distance across the wrap", () => {
    assert.equal(tsDiff(160, 0), 160);
    assert.equal(tsDiff(0, 0xffffff60), 160);
    assert.equal(tsDiff(0xffffff60, 0), -160);
    assert.equal(tsLessThan(0xffffffff, 0), true);
    assert.equal(tsLessThan(0, 0xffffffff), false);
  });

  it("adds with wrap to unsigned 32 bits", () => {
    assert.equal(tsAdd(0xffffffff, 1), 0);
    assert.equal(tsAdd(0xffffff60, 320), 160);
    assert.equal(tsAdd(100, -160), 0xffffffc4);
  });

  it("unwraps across the 32-bit boundary", () => {
    const u = new TimestampUnwrapper();
    assert.equal(u.unwrap(0xffffff60), 0xffffff60);
    assert.equal(u.unwrap(0), 0x100000000);
    assert.equal(u.unwrap(160), 0x1000000a0);
    assert.equal(u.unwrap(0xffffffa0), 0xffffffa0, "late packet keeps its old cycle");
    assert.equal(u.highest, 0x1000000a0);
  });
});
