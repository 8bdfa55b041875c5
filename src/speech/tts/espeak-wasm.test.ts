import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { rms } from "../../media/pcm.ts";
import { SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { synthesize8k } from "./engine.ts";
import { EspeakWasmEngine } from "./espeak-wasm.ts";

const LONG = "This is a longer sentence, spoken so that synthesis takes a noticeable time. ".repeat(
  6,
);

describe("EspeakWasmEngine (eSpeak-NG WASM in a worker thread)", () => {
  const engine = new EspeakWasmEngine({ concurrency: 2 });
  after(() => engine.close());

  it("check() loads the module and voice data", async () => {
    await engine.check();
  });

  it("speaks a sentence at 22050 Hz with a speech-like length and level", async () => {
    const audio = await engine.synthesize("Hello, this is omnivox speaking.", { voice: "en-us" });
    assert.equal(audio.sampleRate, 22050);
    const seconds = audio.samples.length / audio.sampleRate;
    assert.ok(seconds > 1 && seconds < 5, `${seconds} s`);
    assert.ok(rms(audio.samples) > 500, `rms ${rms(audio.samples)}`);
  });

  it("picks the voice from the language and converts to 8 kHz", async () => {
    const fr = await synthesize8k(engine, "Bonjour, vous avez un nouveau message.", {
      language: "fr",
    });
    assert.equal(fr.sampleRate, 8000);
    assert.ok(fr.samples.length > 8000);
  });

  it("rejects an unknown voice with SpeechFailedError and stays usable", async () => {
    await assert.rejects(engine.synthesize("hi", { voice: "xx-nonexistent" }), SpeechFailedError);
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
    // A synthesis on the main thread would let no timer run until it finished.
    assert.ok(ticks >= 3, `only ${ticks} timer ticks during synthesis`);
  });

  it("runs two requests at once on two workers with the same speech as one at a time", async () => {
    const text = "Two voices at the same time.";
    const single = await engine.synthesize(text);
    const [a, b] = await Promise.all([engine.synthesize(text), engine.synthesize(text)]);
    // eSpeak's output varies by a few samples from call to call (its pitch flutter is random),
    // so compare durations rather than bits.
    for (const r of [a, b]) {
      assert.ok(Math.abs(r.samples.length - single.samples.length) < single.samples.length * 0.02);
    }
  });

  it("terminates the worker on abort and on timeout, then serves the next call", async () => {
    const ac = new AbortController();
    const p = engine.synthesize(LONG, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("caller hung up")), 20);
    await assert.rejects(p, /caller hung up/);
    const slow = new EspeakWasmEngine({ concurrency: 1, timeoutMs: 50 });
    try {
      await assert.rejects(slow.synthesize(LONG.repeat(4)), SpeechTimeoutError);
    } finally {
      await slow.close();
    }
    const again = await engine.synthesize("after the abort");
    assert.ok(again.samples.length > 0);
  });
});
