// createSttEngine picks the engine the config names; "none" transcribes nothing, cleanly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createSttEngine, NoneSttEngine } from "./factory.ts";
import { HttpSttEngine } from "./http.ts";
import { PocketsphinxEngine } from "./pocketsphinx.ts";

test("string specs name pocketsphinx or none; case and blanks do not matter", () => {
  assert.ok(createSttEngine("pocketsphinx") instanceof PocketsphinxEngine);
  assert.ok(createSttEngine(" PocketSphinx ") instanceof PocketsphinxEngine);
  assert.ok(createSttEngine("none") instanceof NoneSttEngine);
  assert.equal(createSttEngine("").name, "none");
});

test("object specs build the http engine (and pocketsphinx with options)", () => {
  const http = createSttEngine({ engine: "http", url: "http://127.0.0.1:8080", model: "base.en" });
  assert.ok(http instanceof HttpSttEngine);
  assert.equal(http.name, "http");
  const ps = createSttEngine({ engine: "pocketsphinx", timeoutMs: 1000 });
  assert.ok(ps instanceof PocketsphinxEngine);
  assert.equal(createSttEngine({ engine: "none" }).name, "none");
});

test("unknown engines and an http engine without url/model are refused by name", () => {
  assert.throws(
    () => createSttEngine("whisper"),
    /unknown engine "whisper" \(one of pocketsphinx, http, none\)/,
  );
  assert.throws(() => createSttEngine("http"), /needs \{engine: "http", url, model\}/);
  assert.throws(
    () => createSttEngine({ engine: "vosk" } as unknown as Parameters<typeof createSttEngine>[0]),
    /unknown engine "vosk"/,
  );
  assert.throws(() => createSttEngine({ engine: "http", url: "", model: "m" }), /url is required/);
  assert.throws(
    () => createSttEngine({ engine: "http", url: "http://x", model: "" }),
    /model is required/,
  );
});

test("none: check passes, the transcript is empty, whole or streamed, and abort still counts", async () => {
  const none = createSttEngine("none");
  await none.check();
  const audio = { samples: new Int16Array(8000).fill(1000), sampleRate: 8000 };
  assert.deepEqual(await none.transcribe(audio), { text: "" });
  const stream = none.startStream!();
  stream.write(audio.samples);
  assert.deepEqual(await stream.end(), { text: "" });
  const ac = new AbortController();
  ac.abort(new Error("gone"));
  await assert.rejects(none.transcribe(audio, { signal: ac.signal }), /gone/);
  const aborted = none.startStream!();
  aborted.abort();
  await assert.rejects(aborted.end(), { name: "AbortError" });
});
