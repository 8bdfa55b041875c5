// The bounded wait for a deposit's transcript: in time → the text; failed → a note; late → a
// note now and the text patched in through `late` when it comes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { type DepositTranscriber, type TranscriptStream, transcriptOf } from "./transcript.ts";

const log = pino({ level: "silent" });

function streamOf(end: () => Promise<{ text: string }>): TranscriptStream {
  return { write() {}, end, abort() {} };
}

function transcriber(waitMs: number) {
  const patched: string[] = [];
  const stt: DepositTranscriber = {
    waitMs,
    start: () => streamOf(async () => ({ text: "" })),
    late: async (userId, id, text) => {
      patched.push(`${userId}/${id}: ${text}`);
    },
  };
  return { stt, patched };
}

test("a transcript in time is returned trimmed; an empty one gives nothing", async () => {
  const { stt } = transcriber(1000);
  const got = await transcriptOf(
    streamOf(async () => ({ text: " hello there " })),
    stt,
    "a",
    "m",
    log,
  );
  assert.deepEqual(got, { transcript: "hello there" });
  assert.deepEqual(
    await transcriptOf(
      streamOf(async () => ({ text: "  " })),
      stt,
      "a",
      "m",
      log,
    ),
    {},
  );
});

test("a failed transcription is a note, not an error", async () => {
  const { stt } = transcriber(1000);
  const got = await transcriptOf(
    streamOf(async () => {
      throw new Error("HTTP 500 from the STT server");
    }),
    stt,
    "a",
    "m",
    log,
  );
  assert.equal(got.transcript, undefined);
  assert.match(got.warnings?.join(" ") ?? "", /No transcript: HTTP 500/);
});

test("a late transcript: a note at once, then the text is patched into the message", async () => {
  const { stt, patched } = transcriber(30);
  let finish: (t: { text: string }) => void = () => {};
  const slow = new Promise<{ text: string }>((resolve) => {
    finish = resolve;
  });
  const started = Date.now();
  const got = await transcriptOf(
    streamOf(() => slow),
    stt,
    "alice",
    "m1",
    log,
  );
  assert.ok(Date.now() - started < 1000, "the wait is bounded");
  assert.match(got.warnings?.join(" ") ?? "", /not ready within 30 ms/);
  finish({ text: "call me" });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(patched, ["alice/m1: call me"]);
});
