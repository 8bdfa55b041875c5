// Seeded mutation fuzzing of the SDP parser, writer and offer/answer: thousands of damaged bodies
// must never throw, and whatever parses must format to a fixed point and negotiate without a throw.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fixtures from "../../../test/fixtures/sdp.ts";
import { prng } from "../../../test/support/prng.ts";
import { answerOffer } from "./answer.ts";
import type { LocalAudio } from "./audio.ts";
import { formatSdp } from "./format.ts";
import { createOffer, parseAnswer } from "./offer.ts";
import { parseSdp } from "./parse.ts";

const ITERATIONS = 5000;
const SEED = 0x5d9f4566;

const LOCAL: LocalAudio = {
  address: "192.0.2.5",
  port: 30000,
  sessionId: 1,
  sessionVersion: 1,
  codecs: ["PCMU", "PCMA"],
  telephoneEvent: true,
  ptime: 20,
};

// Characters that matter to the grammar are tried far more often than random ones.
const SPECIAL = "\r\n =:/ 0123456789.aAmcvot\0\u00ff\u00e9:";

function mutate(src: string, rnd: () => number): string {
  const pick = (n: number) => Math.floor(rnd() * n);
  const char = () =>
    rnd() < 0.8 ? SPECIAL[pick(SPECIAL.length)]! : String.fromCharCode(pick(0x3000));
  let s = src;
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && s.length > 0; r++) {
    const at = pick(s.length);
    const lines = s.split("\r\n");
    switch (pick(7)) {
      case 0:
        s = s.slice(0, at) + char() + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + Array.from({ length: 1 + pick(4) }, char).join("") + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + pick(8));
        break;
      case 3:
        s = s.slice(0, at);
        break;
      case 4: // duplicate a line somewhere else
        lines.splice(pick(lines.length), 0, lines[pick(lines.length)]!);
        s = lines.join("\r\n");
        break;
      case 5: // swap two lines
        {
          const i = pick(lines.length);
          const j = pick(lines.length);
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          s = lines.join("\r\n");
          break;
        }
      default: // drop a line
        lines.splice(pick(lines.length), 1);
        s = lines.join("\r\n");
    }
  }
  return s;
}

test(`${ITERATIONS} mutated SDP bodies never throw`, () => {
  const seeds = Object.values(fixtures).filter((v): v is string => typeof v === "string");
  assert.ok(seeds.length >= 6);
  const rnd = prng(SEED);
  const ourOffer = createOffer(LOCAL);
  let parsed = 0;
  let answered = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[i % seeds.length]!, rnd);
    const r = parseSdp(input);
    if (!r.ok) {
      assert.equal(typeof r.error, "string");
      assert.ok(r.error.length > 0);
      continue;
    }
    parsed++;
    const text = formatSdp(r.value);
    const again = parseSdp(text);
    assert.ok(again.ok, `formatted body does not parse: ${JSON.stringify(text)}`);
    assert.equal(formatSdp(again.value), text, "format is not a fixed point");
    const a = answerOffer(r.value, LOCAL);
    if (a.ok) {
      answered++;
      assert.equal(a.answer.media.length, r.value.media.length);
      assert.ok(parseSdp(formatSdp(a.answer)).ok);
    } else {
      assert.equal(a.status, 488);
    }
    const back = parseAnswer(r.value, ourOffer);
    assert.equal(typeof back.ok, "boolean");
  }
  // The mutator must leave enough bodies intact for the later stages to be exercised.
  assert.ok(parsed > ITERATIONS / 10, `only ${parsed} parsed`);
  assert.ok(answered > ITERATIONS / 20, `only ${answered} answered`);
});

test("random bytes never throw", () => {
  const rnd = prng(SEED ^ 0xffff);
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(rnd() * 300) }, () =>
      Math.floor(rnd() * 256),
    );
    if (i % 2 === 0) bytes.set(new TextEncoder().encode("v=0\r\n").subarray(0, bytes.length));
    const r = parseSdp(bytes);
    assert.equal(typeof r.ok, "boolean");
  }
});
