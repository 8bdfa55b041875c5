// Seeded mutation fuzzing of the message-summary parser: damaged bodies never throw, and whatever
// parses formats to a body that parses back to the same summary without warnings.
import assert from "node:assert/strict";
import { test } from "node:test";
import { prng } from "../../../test/support/prng.ts";
import { formatMessageSummary } from "./format.ts";
import { parseMessageSummary } from "./parse.ts";

const ITERATIONS = 5000;
const SEED = 0x3842;

const SEEDS = [
  "Messages-Waiting: yes\r\nMessage-Account: sip:carol@vm.example.org\r\nVoice-Message: 3/7 (1/0)\r\n",
  "Messages-Waiting: no\r\nVoice-Message: 0/12\r\nFax-Message: 1/1\r\nNone: 0/0\r\n",
  "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n\r\nTo: <sip:carol@example.org>\r\nFrom: <sip:dave@example.net>\r\nSubject: call me\r\n",
  "Messages-Waiting: yes\r\nPager-Message: 4294967295/0 (4294967295/4294967295)\r\nText-Message: 2/3\r\nMultimedia-Message: 0/1\r\n",
];

const SPECIAL = "\r\n \t:/()0123456789-yesnoY\0\u00ff\u00e9";

function mutate(src: string, rnd: () => number): string {
  const pick = (n: number) => Math.floor(rnd() * n);
  const char = () =>
    rnd() < 0.8 ? SPECIAL[pick(SPECIAL.length)]! : String.fromCharCode(pick(0x3000));
  let s = src;
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && s.length > 0; r++) {
    const at = pick(s.length);
    switch (pick(6)) {
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
      case 4: // a long run of digits, to reach the 2^32 bound
        s = s.slice(0, at) + "9".repeat(1 + pick(14)) + s.slice(at);
        break;
      default: {
        const lines = s.split("\r\n");
        lines.splice(pick(lines.length), 0, lines[pick(lines.length)]!);
        s = lines.join("\r\n");
      }
    }
  }
  return s;
}

test(`${ITERATIONS} mutated message-summary bodies never throw`, () => {
  const rnd = prng(SEED);
  let parsed = 0;
  let warned = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const r = parseMessageSummary(mutate(SEEDS[i % SEEDS.length]!, rnd));
    if (!r.ok) {
      assert.ok(r.error.length > 0);
      continue;
    }
    parsed++;
    if (r.warnings.length > 0) warned++;
    assert.ok(r.warnings.length <= 17);
    const again = parseMessageSummary(formatMessageSummary(r.value));
    assert.ok(again.ok);
    assert.deepEqual(again.value, r.value);
    assert.deepEqual(again.warnings, []);
  }
  assert.ok(parsed > ITERATIONS / 4, `only ${parsed} parsed`);
  assert.ok(warned > ITERATIONS / 20, `only ${warned} with warnings`);
});
