// Flite under node:wasi in worker threads, the default engine: each voice speaks at its rate with
// a speech-like length and level, an unknown voice is refused, the loop keeps running while it
// synthesizes, and an aborted or timed-out request takes its thread and the next one is served.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { rms } from "../../media/pcm.ts";
import { SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { synthesize8k } from "./engine.ts";
import { FLITE_VOICES, FliteWasmEngine } from "./flite-wasm.ts";

const LONG = "This is a longer sentence, spoken so that synthesis takes a noticeable time. ".repeat(
  8,
);

describe("FliteWasmEngine (Flite under WASI in a worker thread)", () => {
  const engine = new FliteWasmEngine({ concurrency: 2 });
  after(() => engine.close());

  it("check() loads the module", async () => {
    await engine.check();
  });

  it("speaks with every voice at its rate, a speech-like length and level", async () => {
    const text = "You have one new voicemail from Carol Caller.";
    for (const voice of FLITE_VOICES) {
      const audio = await engine.synthesize(text, { voice });
      assert.equal(audio.sampleRate, voice === "kal" ? 8000 : 16000, voice);
      const seconds = audio.samples.length / audio.sampleRate;
      assert.ok(seconds > 1.5 && seconds < 6, `${voice}: ${seconds} s`);
      assert.ok(rms(audio.samples) > 500, `${voice}: rms ${rms(audio.samples)}`);
    }
    const phone = await synthesize8k(engine, text);
    assert.equal(phone.sampleRate, 8000);
    assert.ok(phone.samples.length > 8000 * 1.5);
  });

  it("speaks a voice named as English with its default; refuses others and stays usable", async () => {
    const english = await engine.synthesize("hello", { voice: "en-us" });
    assert.equal(english.sampleRate, 16000);
    await assert.rejects(engine.synthesize("hi", { voice: "fr" }), (err: Error) => {
      assert.ok(err instanceof SpeechFailedError);
      assert.match(err.message, /for other languages use speech.tts espeak-ng/);
      return true;
    });
    const ok = await engine.synthesize("still here");
    assert.ok(ok.samples.length > 0);
  });

  it("keeps the event loop running while it synthesizes", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await engine.synthesize(LONG);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 3, `only ${ticks} timer ticks during synthesis`);
  });

  it("terminates the worker on abort and on timeout, then serves the next call", async () => {
    const ac = new AbortController();
    const p = engine.synthesize(LONG.repeat(4), { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("caller hung up")), 20);
    await assert.rejects(p, /caller hung up/);
    const slow = new FliteWasmEngine({ concurrency: 1, timeoutMs: 20 });
    try {
      await assert.rejects(slow.synthesize(LONG.repeat(8)), SpeechTimeoutError);
    } finally {
      await slow.close();
    }
    const again = await engine.synthesize("after the abort");
    assert.ok(again.samples.length > 0);
  });
});
