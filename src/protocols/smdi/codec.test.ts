// Tests for the SMDI codec (GR-283-CORE frames): exact bytes, round trips, frames split at every
// byte boundary, garbage and partial frames skipped and counted, oversized garbage bounded.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../test/support/prng.ts";
import { encodeCallDetail, encodeFrame, encodeMwi, encodeMwiError, SmdiDecoder } from "./codec.ts";
import { SmdiEncodeError, type SmdiFrame } from "./frames.ts";

const CALL: SmdiFrame = {
  kind: "call-detail",
  desk: "001",
  terminal: "0002",
  type: "B",
  forwardingStation: "5551234",
  callingStation: "2125550100",
};
const SAMPLES: SmdiFrame[] = [
  CALL,
  { ...CALL, type: "D", forwardingStation: "1234567890", callingStation: "" },
  { ...CALL, type: "U", forwardingStation: "7", callingStation: "123456789012345" },
  { kind: "mwi", on: true, station: "5551234" },
  { kind: "mwi", on: false, station: "5551234" },
  { kind: "mwi-error", station: "5550000", reason: "INV" },
  { kind: "mwi-error", station: "5551111", reason: "BLK" },
];

function randomBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function decodeAll(chunks: Array<Uint8Array | string>, decoder = new SmdiDecoder()): SmdiFrame[] {
  return chunks.flatMap((c) => decoder.push(c));
}

describe("SMDI encoders", () => {
  it("writes the exact bytes of each frame kind", () => {
    assert.equal(
      encodeCallDetail(CALL).toString("latin1"),
      "\r\nMD0010002B5551234    2125550100 \r\n\x19",
    );
    assert.equal(
      encodeCallDetail({ ...CALL, type: "N", callingStation: "" }).toString("latin1"),
      "\r\nMD0010002N5551234     \r\n\x19",
    );
    assert.equal(
      encodeMwi({ on: true, station: "5551234" }).toString("latin1"),
      "OP:MWI 5551234!\x04",
    );
    assert.equal(
      encodeMwi({ on: false, station: "5551234" }).toString("latin1"),
      "RMV:MWI 5551234!\x04",
    );
    assert.equal(
      encodeMwiError({ station: "5551234", reason: "INV" }).toString("latin1"),
      "\r\nMWI5551234 INV\r\n\x19",
    );
    assert.equal(
      encodeMwiError({ station: "5551234", reason: "BLK" }).toString("latin1"),
      "\r\nMWI5551234 BLK\r\n\x19",
    );
  });

  it("refuses fields that do not fit the wire format", () => {
    assert.throws(() => encodeCallDetail({ ...CALL, desk: "1" }), SmdiEncodeError);
    assert.throws(() => encodeCallDetail({ ...CALL, terminal: "12a4" }), SmdiEncodeError);
    assert.throws(() => encodeCallDetail({ ...CALL, forwardingStation: "" }), SmdiEncodeError);
    assert.throws(
      () => encodeCallDetail({ ...CALL, forwardingStation: "12345678901" }),
      SmdiEncodeError,
    );
    assert.throws(() => encodeCallDetail({ ...CALL, callingStation: "555 1234" }), SmdiEncodeError);
    assert.throws(() => encodeMwi({ on: true, station: "12!4" }), SmdiEncodeError);
    assert.throws(() => encodeMwiError({ station: "", reason: "INV" }), SmdiEncodeError);
  });
});

describe("SmdiDecoder", () => {
  it("round-trips every frame kind", () => {
    for (const frame of SAMPLES) assert.deepEqual(decodeAll([encodeFrame(frame)]), [frame]);
  });

  it("accepts a forwarding station with or without its padding", () => {
    const unpadded = "\r\nMD0010002A5551234 2125550100 \r\n\x19";
    const padded = "\r\nMD0010002A5551234    2125550100 \r\n\x19";
    const expected = { ...CALL, type: "A" };
    assert.deepEqual(decodeAll([unpadded]), [expected]);
    assert.deepEqual(decodeAll([padded]), [expected]);
    assert.deepEqual(decodeAll(["\r\nMD0010002A5551234  \r\n\x19"]), [
      { ...expected, callingStation: "" },
    ]);
  });

  it("decodes a stream split at every byte boundary, and byte by byte", () => {
    const stream = Buffer.concat(SAMPLES.map(encodeFrame));
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new SmdiDecoder();
      const frames = decodeAll([stream.subarray(0, cut), stream.subarray(cut)], decoder);
      assert.deepEqual(frames, SAMPLES, `cut at ${cut}`);
      assert.equal(decoder.garbageBytes, 0);
      assert.equal(decoder.bufferedBytes, 0);
    }
    const bytewise = [...stream].map((b) => Uint8Array.of(b));
    assert.deepEqual(decodeAll(bytewise), SAMPLES);
  });

  it("skips junk and partial frames between frames and reports each run once", () => {
    const runs: number[] = [];
    const decoder = new SmdiDecoder({ onGarbage: (n) => runs.push(n) });
    const stream = [
      "hello",
      encodeMwi({ on: true, station: "100" }).toString("latin1"),
      "OP:MWI 12", // cut short by the next frame
      encodeMwi({ on: false, station: "100" }).toString("latin1"),
      "\r\nMD001", // a call detail that never finished
      "\r\nMWI77 XYZ\r\n\x19", // not a known reason
      "OP:MWI abc!\x04", // station must be digits
      encodeMwiError({ station: "200", reason: "BLK" }).toString("latin1"),
    ].join("");
    // byte by byte, so every run spans many pushes and must still be reported once
    const frames = decodeAll([...stream], decoder);
    assert.deepEqual(
      frames.map((f) => f.kind),
      ["mwi", "mwi", "mwi-error"],
    );
    assert.deepEqual(runs, [5, 9, 7 + 14 + 12]);
    assert.equal(decoder.garbageBytes, 47);
    runs.length = 0;
    const whole = new SmdiDecoder({ onGarbage: (n) => runs.push(n) });
    assert.deepEqual(decodeAll([stream], whole), frames);
    assert.deepEqual(runs, [5, 9, 33]);
  });

  it("recovers the right frames from random garbage around them, without throwing", () => {
    const rand = prng(5);
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      const expected: SmdiFrame[] = [];
      let injected = 0;
      for (let i = 0; i < 6; i++) {
        const junk = randomBytes(rand, Math.floor(rand() * 40));
        injected += junk.length;
        const frame = SAMPLES[Math.floor(rand() * SAMPLES.length)]!;
        parts.push(junk, encodeFrame(frame));
        expected.push(frame);
      }
      const stream = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(rand() * 30);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      const decoder = new SmdiDecoder();
      assert.deepEqual(decodeAll(chunks, decoder), expected, `round ${round}`);
      decoder.reset();
      assert.equal(decoder.garbageBytes, injected, `round ${round}`);
    }
  });

  it("never throws on random bytes and fragments of frames", () => {
    const rand = prng(42);
    const pieces = SAMPLES.map((f) => encodeFrame(f).toString("latin1"));
    const decoder = new SmdiDecoder();
    for (let i = 0; i < 5000; i++) {
      const piece = pieces[Math.floor(rand() * pieces.length)]!;
      const from = Math.floor(rand() * piece.length);
      const chunk =
        rand() < 0.5 ? piece.slice(from, from + 1 + Math.floor(rand() * 8)) : randomBytes(rand, 8);
      assert.doesNotThrow(() => decoder.push(chunk));
      assert.ok(decoder.bufferedBytes <= 256);
    }
  });

  it("bounds oversized garbage: drops it in counted runs and still finds the next frame", () => {
    const runs: number[] = [];
    const decoder = new SmdiDecoder({ onGarbage: (n) => runs.push(n) });
    const junk = Buffer.alloc(64 * 1024, "x");
    for (let i = 0; i < 16; i++) {
      assert.deepEqual(decoder.push(junk), []);
      assert.equal(decoder.bufferedBytes, 0);
    }
    const frames = decoder.push(encodeMwi({ on: true, station: "42" }));
    assert.deepEqual(frames, [{ kind: "mwi", on: true, station: "42" }]);
    assert.equal(runs.length, 256);
    assert.ok(runs.every((n) => n === 4096));
    assert.equal(decoder.garbageBytes, 1024 * 1024);
  });

  it("drops a frame that never ends (a marker followed by endless padding)", () => {
    const decoder = new SmdiDecoder();
    decoder.push("OP:MWI 12");
    decoder.push(" ".repeat(1000));
    assert.equal(decoder.bufferedBytes, 0);
    assert.deepEqual(decoder.push("RMV:MWI 12!\x04"), [{ kind: "mwi", on: false, station: "12" }]);
  });

  it("reset() discards an unfinished frame and reports it", () => {
    const runs: number[] = [];
    const decoder = new SmdiDecoder({ onGarbage: (n) => runs.push(n) });
    assert.deepEqual(decoder.push("junk\r\nMD0010002B555"), []);
    assert.equal(decoder.reset(), 19);
    assert.deepEqual(runs, [19]);
    assert.deepEqual(decoder.push("4 \r\n\x19"), []);
    assert.equal(decoder.reset(), 5);
  });
});
