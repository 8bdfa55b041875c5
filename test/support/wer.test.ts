// Unit tests of the word error rate (word-level Levenshtein) used by the STT benchmark.
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeWords, wordErrorRate, wordErrors } from "./wer.ts";

test("identical texts have no errors, whatever the case and punctuation", () => {
  assert.equal(wordErrorRate("Please call me back.", "please, CALL me back"), 0);
});

test("one substitution in four words is 0.25", () => {
  const e = wordErrors("call me back now", "call me bach now");
  assert.deepEqual(e, {
    substitutions: 1,
    deletions: 0,
    insertions: 0,
    referenceWords: 4,
    wer: 0.25,
  });
});

test("deletions and insertions are counted separately", () => {
  assert.deepEqual(wordErrors("a b c d", "a c d"), {
    substitutions: 0,
    deletions: 1,
    insertions: 0,
    referenceWords: 4,
    wer: 0.25,
  });
  assert.deepEqual(wordErrors("a b", "x a b y"), {
    substitutions: 0,
    deletions: 0,
    insertions: 2,
    referenceWords: 2,
    wer: 1,
  });
});

test("the distance is minimal, not a position-by-position count", () => {
  // Shifted by one word: position-by-position would count 4 errors, Levenshtein counts 2.
  assert.equal(wordErrorRate("the invoice is due today", "invoice is due today ok"), 2 / 5);
});

test("an empty hypothesis deletes every word; an empty reference counts insertions", () => {
  assert.equal(wordErrorRate("about the invoice", ""), 1);
  assert.equal(wordErrorRate("", ""), 0);
  assert.equal(wordErrorRate("", "uh um"), 2);
});

test("WER can exceed 1 when the hypothesis is longer and all wrong", () => {
  assert.equal(wordErrorRate("yes", "you are what are you"), 5);
});

test("normalizeWords keeps apostrophes inside words and drops pocketsphinx alternates", () => {
  assert.deepEqual(normalizeWords("We'd call THE(2) 'office', ok?"), [
    "we'd",
    "call",
    "the",
    "office",
    "ok",
  ]);
});
