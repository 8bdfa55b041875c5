// Parsing of `pocketsphinx_continuous -time yes` output, as captured from Debian's 0.8+5prealpha.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isFiller, parsePocketsphinxOutput, pocketsphinxResult } from "./pocketsphinx-output.ts";

// Two utterances, exactly as the program printed them (hypothesis line, then word segments).
const TWO_UTTERANCES = `we'd all be bothered about it up
<s> 0.380 0.650 0.999100
<sil> 0.660 0.840 0.817403
we'd 0.850 1.170 0.039832
all 1.180 1.480 0.333896
be 1.490 1.670 0.226214
bothered 1.680 1.970 0.199371
about 1.980 2.330 1.000300
it 2.340 2.550 0.793004
up 2.560 3.060 0.816912
</s> 3.070 3.460 1.000000
you told me back about it
<s> 4.100 4.200 1.000000
you 4.210 4.400 0.500000
told 4.410 4.700 0.250000
me 4.710 4.800 0.750000
back 4.810 5.100 0.500000
about 5.110 5.400 0.500000
it 5.410 5.600 0.500000
[NOISE] 5.610 5.700 0.100000
</s> 5.710 5.900 1.000000
`;

test("two utterances: hypothesis lines joined, word segments attached to theirs", () => {
  const utts = parsePocketsphinxOutput(TWO_UTTERANCES);
  assert.equal(utts.length, 2);
  assert.equal(utts[0]!.text, "we'd all be bothered about it up");
  assert.equal(utts[0]!.words.length, 10);
  assert.deepEqual(utts[0]!.words[2], {
    word: "we'd",
    start: 0.85,
    end: 1.17,
    posterior: 0.039832,
  });
  assert.equal(utts[1]!.words.at(-2)!.word, "[NOISE]");
  const result = pocketsphinxResult(utts);
  assert.equal(result.text, "we'd all be bothered about it up you told me back about it");
  // Mean posterior of the 13 real words (fillers skipped, 1.0003 clamped to 1).
  const first = 0.039832 + 0.333896 + 0.226214 + 0.199371 + 1 + 0.793004 + 0.816912;
  const second = 0.5 + 0.25 + 0.75 + 0.5 + 0.5 + 0.5;
  assert.ok(Math.abs(result.confidence! - (first + second) / 13) < 1e-9);
});

test("log noise and blank lines are skipped; alternates lose their (2)", () => {
  const out =
    "INFO: continuous.c(307): started\n\nREADY....\ncall the(2) office\ncall 0.1 0.2 0.9\nthe(2) 0.2 0.3 0.8\noffice 0.3 0.6 0.7\n";
  const utts = parsePocketsphinxOutput(out);
  assert.equal(utts.length, 1);
  assert.equal(utts[0]!.text, "call the office");
  assert.deepEqual(
    utts[0]!.words.map((w) => w.word),
    ["call", "the", "office"],
  );
});

test("word lines without a hypothesis line still give the text", () => {
  const result = pocketsphinxResult(
    parsePocketsphinxOutput("<s> 0 0.1 1\nhello 0.1 0.5 0.4\n</s> 0.5 0.6 1\n"),
  );
  assert.deepEqual(result, { text: "hello", confidence: 0.4 });
});

test("nothing recognised: empty text and no confidence", () => {
  assert.deepEqual(pocketsphinxResult(parsePocketsphinxOutput("")), { text: "" });
  assert.deepEqual(pocketsphinxResult(parsePocketsphinxOutput("<sil> 0 1 1\n")), { text: "" });
});

test("fillers are recognised by their brackets", () => {
  for (const w of ["<s>", "</s>", "<sil>", "[NOISE]", "+BREATH+"]) assert.ok(isFiller(w), w);
  for (const w of ["about", "we'd", "the(2)"]) assert.ok(!isFiller(w), w);
});
