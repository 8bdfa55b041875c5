// Tests for RTP packet parse/serialise, including hand-made wire bytes and random garbage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isRtpParseError,
  looksLikeRtcp,
  parseRtp,
  type RtpPacket,
  type RtpParseError,
  rtpPacketLength,
  serializeRtp,
  writeRtp,
} from "./packet.ts";

function ok(result: RtpPacket | RtpParseError): RtpPacket {
  if (isRtpParseError(result)) assert.fail(`unexpected parse error: ${result.message}`);
  return result;
}

function fails(bytes: number[] | Buffer, reason: RtpParseError["error"]): void {
  const result = parseRtp(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  assert.ok(isRtpParseError(result), "expected a parse error");
  assert.equal(result.error, reason);
}

describe("parseRtp", () => {
  it("reads the fixed header of a hand-made PCMU packet", () => {
    // V=2, no P/X/CC; M=1, PT=0; seq 0x1234; ts 0xdeadbeef; ssrc 0x01020304; payload ff ff
    const wire = Buffer.from("80801234deadbeef01020304ffff", "hex");
    const p = ok(parseRtp(wire));
    assert.equal(p.marker, true);
    assert.equal(p.payloadType, 0);
    assert.equal(p.sequence, 0x1234);
    assert.equal(p.timestamp, 0xdeadbeef);
    assert.equal(p.ssrc, 0x01020304);
    assert.deepEqual(p.csrc, []);
    assert.equal(p.extension, null);
    assert.equal(p.paddingBytes, 0);
    assert.deepEqual([...p.payload], [0xff, 0xff]);
    wire[12] = 0;
    assert.equal(p.payload[0], 0, "payload is a view, not a copy");
  });

  it("reads CSRCs, skips the extension and strips padding", () => {
    const wire = Buffer.from(
      // V=2 P=1 X=1 CC=2 | PT 8 | seq | ts | ssrc
      "b2080001000000a000000001" +
        "0000000a0000000b" + // two CSRCs
        "bede0001" +
        "10ab0000" + // extension: profile 0xBEDE, one word
        "d5d5d5" + // payload
        "000003", // padding: 3 bytes, count included
      "hex",
    );
    const p = ok(parseRtp(wire));
    assert.equal(p.payloadType, 8);
    assert.deepEqual(p.csrc, [10, 11]);
    assert.equal(p.extension?.profile, 0xbede);
    assert.deepEqual([...p.extension!.data], [0x10, 0xab, 0, 0]);
    assert.equal(p.paddingBytes, 3);
    assert.deepEqual([...p.payload], [0xd5, 0xd5, 0xd5]);
  });

  it("accepts an empty payload (a keep-alive or padding-only packet)", () => {
    assert.equal(ok(parseRtp(Buffer.from("800000010000000000000001", "hex"))).payload.length, 0);
    const onlyPadding = ok(parseRtp(Buffer.from("a0000001000000000000000100000004", "hex")));
    assert.equal(onlyPadding.payload.length, 0);
  });

  it("returns a reason for garbage instead of throwing", () => {
    fails([], "too-short");
    fails([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], "too-short");
    fails(Buffer.from("400000010000000000000001", "hex"), "bad-version");
    fails(Buffer.from("c00000010000000000000001", "hex"), "bad-version");
    fails(Buffer.from("8f0000010000000000000001aaaaaaaa", "hex"), "truncated-csrc");
    fails(Buffer.from("900000010000000000000001bede", "hex"), "truncated-extension");
    fails(Buffer.from("900000010000000000000001bede000200000000", "hex"), "truncated-extension");
    fails(Buffer.from("a00000010000000000000001ff00", "hex"), "bad-padding");
    fails(Buffer.from("a00000010000000000000001ff0f", "hex"), "bad-padding");
  });

  it("survives random bytes", () => {
    let seed = 42;
    for (let round = 0; round < 5000; round++) {
      const buf = Buffer.alloc(round % 40);
      for (let i = 0; i < buf.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        buf[i] = seed >> 7;
      }
      if (round % 2) buf[0] = 0x80 | (buf[0]! & 0x3f); // make half of them claim version 2
      const result = parseRtp(buf);
      if (!isRtpParseError(result)) {
        assert.ok(result.payload.length + result.paddingBytes <= buf.length - 12);
      }
    }
  });

  it("tells RTCP apart on a multiplexed port", () => {
    assert.equal(looksLikeRtcp(Buffer.from("80c80006", "hex")), true); // sender report
    assert.equal(looksLikeRtcp(Buffer.from("80000001", "hex")), false);
    assert.equal(looksLikeRtcp(Buffer.from("80", "hex")), false);
  });
});

describe("serializeRtp", () => {
  const base = { payloadType: 0, sequence: 65535, timestamp: 0xffffffff, ssrc: 0xcafebabe };

  it("round-trips every field", () => {
    const wire = serializeRtp({
      ...base,
      marker: true,
      csrc: [1, 0xffffffff],
      extension: { profile: 0x1000, data: Uint8Array.of(1, 2, 3, 4) },
      paddingBytes: 4,
      payload: Uint8Array.of(9, 8, 7),
    });
    assert.equal(wire.length, 12 + 8 + 8 + 3 + 4);
    assert.equal(wire[wire.length - 1], 4);
    const p = ok(parseRtp(wire));
    assert.equal(p.marker, true);
    assert.equal(p.sequence, 65535);
    assert.equal(p.timestamp, 0xffffffff);
    assert.equal(p.ssrc, 0xcafebabe);
    assert.deepEqual(p.csrc, [1, 0xffffffff]);
    assert.deepEqual([...p.extension!.data], [1, 2, 3, 4]);
    assert.deepEqual([...p.payload], [9, 8, 7]);
  });

  it("writes into a reused buffer at an offset", () => {
    const dst = Buffer.alloc(200, 0xee);
    const packet = { ...base, payload: new Uint8Array(160).fill(0xff) };
    assert.equal(rtpPacketLength(packet), 172);
    assert.equal(writeRtp(packet, dst, 10), 172);
    assert.equal(dst[9], 0xee);
    assert.equal(dst[182], 0xee);
    assert.equal(ok(parseRtp(dst.subarray(10, 182))).payload.length, 160);
    assert.throws(() => writeRtp(packet, dst, 100), RangeError);
  });

  it("rejects out-of-range fields", () => {
    const payload = new Uint8Array(0);
    assert.throws(() => serializeRtp({ ...base, payload, payloadType: 128 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, payload, sequence: 65536 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, payload, timestamp: -1 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, payload, ssrc: 1.5 }), RangeError);
    assert.throws(
      () => serializeRtp({ ...base, payload, csrc: new Array(16).fill(0) }),
      RangeError,
    );
    assert.throws(() => serializeRtp({ ...base, payload, csrc: [2 ** 32] }), RangeError);
    assert.throws(() => serializeRtp({ ...base, payload, paddingBytes: 256 }), RangeError);
    const ext = { profile: 1, data: new Uint8Array(3) };
    assert.throws(() => serializeRtp({ ...base, payload, extension: ext }), RangeError);
  });
});
