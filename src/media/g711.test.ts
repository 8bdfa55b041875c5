// Tests for the G.711 codec against values fixed by ITU-T G.711 and its quantisation bounds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { peer } from "../../test/support/peers.ts";
import {
  ALAW_DECODE_TABLE,
  ALAW_SILENCE,
  ALAW_TO_ULAW,
  alawToLinear,
  alawToUlaw,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  linearToAlaw,
  linearToUlaw,
  ULAW_DECODE_TABLE,
  ULAW_SILENCE,
  ULAW_TO_ALAW,
  ulawToAlaw,
  ulawToLinear,
} from "./g711.ts";

const ALL_SAMPLES = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe("µ-law", () => {
  it("matches the ITU values at the ends of the scale", () => {
    assert.equal(ulawToLinear(0xff), 0);
    assert.equal(ulawToLinear(0x7f), 0);
    assert.equal(ulawToLinear(0x00), -32124);
    assert.equal(ulawToLinear(0x80), 32124);
    assert.equal(ulawToLinear(0xfe), 8); // smallest positive step: 2 in 14-bit units
    assert.equal(linearToUlaw(0), 0xff);
    assert.equal(linearToUlaw(-32124), 0x00);
    assert.equal(linearToUlaw(32767), 0x80);
    assert.equal(linearToUlaw(-32768), 0x00);
    assert.equal(linearToUlaw(1e9), 0x80, "clamps out-of-range numbers");
    assert.equal(ULAW_SILENCE, linearToUlaw(0));
  });

  it("decode then encode gives every code back (negative zero becomes positive zero)", () => {
    for (let code = 0; code < 256; code++) {
      const expected = code === 0x7f ? 0xff : code;
      assert.equal(linearToUlaw(ulawToLinear(code)), expected, `code 0x${code.toString(16)}`);
    }
  });

  it("keeps the round-trip error within half a step of the sample's segment", () => {
    const codes = new Uint8Array(ALL_SAMPLES.length);
    const back = new Int16Array(ALL_SAMPLES.length);
    encodeUlaw(ALL_SAMPLES, codes);
    decodeUlaw(codes, back);
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i]!;
      const magnitude = Math.min(x < 0 ? -x - 1 : x, 32635);
      let segment = 0;
      while (magnitude + 132 >= 256 << segment) segment++;
      // half a step (4 << segment) plus what the shift to 14 bits drops (up to 3, plus 1 for
      // the one's-complement magnitude of negatives), plus the clipping above 32635.
      const bound = (4 << segment) + 4 + Math.max(0, Math.abs(x) - 32635);
      const error = Math.abs(back[i]! - x);
      assert.ok(error <= bound, `x=${x} decoded ${back[i]} error ${error} > ${bound}`);
    }
  });

  it("is monotonic: a larger sample never gets a smaller reconstruction", () => {
    let previous = Number.NEGATIVE_INFINITY;
    for (const x of ALL_SAMPLES) {
      const y = ulawToLinear(linearToUlaw(x));
      assert.ok(y >= previous, `x=${x}`);
      previous = y;
    }
  });

  it("decode table is odd-symmetric", () => {
    for (let code = 0; code < 128; code++) {
      assert.equal(ULAW_DECODE_TABLE[code]! + ULAW_DECODE_TABLE[code | 0x80]!, 0);
    }
  });
});

describe("A-law", () => {
  it("matches the ITU values", () => {
    assert.equal(alawToLinear(0xd5), 8);
    assert.equal(alawToLinear(0x55), -8);
    assert.equal(alawToLinear(0xaa), 32256);
    assert.equal(alawToLinear(0x2a), -32256);
    assert.equal(linearToAlaw(0), 0xd5);
    assert.equal(linearToAlaw(-1), 0x55);
    assert.equal(linearToAlaw(32767), 0xaa);
    assert.equal(linearToAlaw(-32768), 0x2a);
    assert.equal(ALAW_SILENCE, linearToAlaw(0));
  });

  it("decode then encode gives every code back", () => {
    for (let code = 0; code < 256; code++) {
      assert.equal(linearToAlaw(alawToLinear(code)), code, `code 0x${code.toString(16)}`);
    }
  });

  it("keeps the round-trip error within half a step of the sample's segment", () => {
    const codes = new Uint8Array(ALL_SAMPLES.length);
    const back = new Int16Array(ALL_SAMPLES.length);
    encodeAlaw(ALL_SAMPLES, codes);
    decodeAlaw(codes, back);
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i]!;
      const magnitude = x < 0 ? -x - 1 : x;
      let segment = 1;
      while (segment < 7 && magnitude >= 512 << segment) segment++;
      const bound = (8 << segment) + 8; // half step, plus what the shift to 13 bits drops
      const error = Math.abs(back[i]! - x);
      assert.ok(error <= bound, `x=${x} decoded ${back[i]} error ${error} > ${bound}`);
    }
  });

  it("is monotonic", () => {
    let previous = Number.NEGATIVE_INFINITY;
    for (const x of ALL_SAMPLES) {
      const y = alawToLinear(linearToAlaw(x));
      assert.ok(y >= previous, `x=${x}`);
      previous = y;
    }
  });

  it("decode table is odd-symmetric", () => {
    for (let code = 0; code < 128; code++) {
      assert.equal(ALAW_DECODE_TABLE[code]! + ALAW_DECODE_TABLE[code | 0x80]!, 0);
    }
  });
});

describe("bulk conversion", () => {
  it("decodes into a longer caller buffer and returns the count", () => {
    const dst = new Int16Array(4).fill(123);
    assert.equal(decodeUlaw(Uint8Array.of(0xff, 0x00), dst), 2);
    assert.deepEqual([...dst], [0, -32124, 123, 123]);
  });

  it("rejects a destination shorter than the source", () => {
    assert.throws(() => decodeUlaw(new Uint8Array(3), new Int16Array(2)), RangeError);
    assert.throws(() => decodeAlaw(new Uint8Array(3), new Int16Array(2)), RangeError);
    assert.throws(() => encodeUlaw(new Int16Array(3), new Uint8Array(2)), RangeError);
    assert.throws(() => encodeAlaw(new Int16Array(3), new Uint8Array(2)), RangeError);
    assert.throws(() => ulawToAlaw(new Uint8Array(3), new Uint8Array(2)), RangeError);
  });

  it("handles empty input", () => {
    assert.equal(encodeUlaw(new Int16Array(0), new Uint8Array(0)), 0);
  });
});

describe("transcoding", () => {
  // Quantisation step (16-bit units) of the segment a code belongs to.
  const ulawStep = (code: number) => 8 << (((code ^ 0x7f) >> 4) & 7);
  const alawStep = (code: number) => 16 << Math.max(0, (((code ^ 0x55) >> 4) & 7) - 1);

  it("maps each code to the nearest level of the other law", () => {
    for (let code = 0; code < 256; code++) {
      const u = ulawToLinear(code);
      const a = alawToLinear(ULAW_TO_ALAW[code]!);
      assert.ok(Math.abs(a - u) <= alawStep(ULAW_TO_ALAW[code]!) / 2, `µ 0x${code.toString(16)}`);
      for (let other = 0; other < 256; other++) {
        if ((other & 0x80) !== (code & 0x80)) continue;
        assert.ok(Math.abs(alawToLinear(other) - u) >= Math.abs(a - u));
      }
    }
  });

  it("double conversion stays within one step of the original code's segment", () => {
    let unchanged = 0;
    for (let code = 0; code < 256; code++) {
      const aBack = ULAW_TO_ALAW[ALAW_TO_ULAW[code]!]!;
      assert.ok(Math.abs(alawToLinear(aBack) - alawToLinear(code)) <= alawStep(code));
      const uBack = ALAW_TO_ULAW[ULAW_TO_ALAW[code]!]!;
      assert.ok(Math.abs(ulawToLinear(uBack) - ulawToLinear(code)) <= ulawStep(code));
      if (aBack === code) unchanged++;
    }
    assert.ok(unchanged >= 240, `only ${unchanged} A-law codes survive A → µ → A`);
  });

  it("keeps sign, order and silence", () => {
    assert.equal(ULAW_TO_ALAW[ULAW_SILENCE], ALAW_SILENCE);
    assert.equal(ALAW_TO_ULAW[ALAW_SILENCE], 0xfe); // +8 exists in both laws
    assert.equal(ULAW_TO_ALAW[0x7f], 0x55, "negative zero stays negative");
    const byLevel = [...Array(256).keys()].sort((x, y) => ulawToLinear(x) - ulawToLinear(y));
    let previous = Number.NEGATIVE_INFINITY;
    for (const u of byLevel) {
      const level = alawToLinear(ULAW_TO_ALAW[u]!);
      assert.ok(level >= previous, `µ-law 0x${u.toString(16)}`);
      assert.ok(Math.sign(level) === Math.sign(ulawToLinear(u)) || ulawToLinear(u) === 0);
      previous = level;
    }
  });

  it("transcodes in place", () => {
    const bytes = Uint8Array.of(0xff, 0x00, 0x80);
    ulawToAlaw(bytes, bytes);
    assert.deepEqual([...bytes], [ALAW_SILENCE, linearToAlaw(-32124), linearToAlaw(32124)]);
    alawToUlaw(bytes, bytes);
    assert.equal(bytes[1], 0x00);
  });
});

// sox carries its own G.711 tables: an independent reference when it is installed.
function sox(args: string[], input: Uint8Array): Uint8Array | null {
  const result = spawnSync("sox", ["-D", ...args], { input, maxBuffer: 1 << 20 });
  if (result.error) return null;
  assert.equal(result.status, 0, String(result.stderr));
  return new Uint8Array(result.stdout);
}

const soxPeer = peer("sox", "sox");

describe("agreement with sox", () => {
  const laws = [
    ["ul", ULAW_DECODE_TABLE, linearToUlaw],
    ["al", ALAW_DECODE_TABLE, linearToAlaw],
  ] as const;
  for (const [type, table, encode] of laws) {
    it(`${type}: decodes every code like sox; encodes like sox up to threshold convention`, {
      skip: soxPeer.skip,
    }, () => {
      const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const decoded = sox(
        ["-t", type, "-r", "8000", "-c", "1", "-", "-t", "s16", "-L", "-"],
        codes,
      );
      assert.ok(decoded, "sox ran");
      assert.deepEqual(new Int16Array(decoded.buffer, decoded.byteOffset, 256), table);
      const linear = new Uint8Array(ALL_SAMPLES.buffer);
      const encoded = sox(
        ["-t", "s16", "-L", "-r", "8000", "-c", "1", "-", "-t", type, "-"],
        linear,
      )!;
      // sox's 16-to-14/13-bit reduction and negative magnitudes differ from ours (truncation,
      // one's complement) by a few LSB, so decision thresholds may fall one level apart.
      const levels = [...new Set(table)].sort((a, b) => a - b);
      let same = 0;
      for (let i = 0; i < ALL_SAMPLES.length; i++) {
        const ours = encode(ALL_SAMPLES[i]!);
        if (ours === encoded[i]) same++;
        const apart = levels.indexOf(table[ours]!) - levels.indexOf(table[encoded[i]!]!);
        assert.ok(Math.abs(apart) <= 1, `x=${ALL_SAMPLES[i]}: 0x${ours.toString(16)}`);
      }
      assert.ok(same >= 0.98 * ALL_SAMPLES.length, `only ${same} of 65536 codes agree`);
    });
  }
});
