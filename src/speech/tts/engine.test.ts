import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateTone, rms } from "../../media/pcm.ts";
import { pcm16ToWav } from "../../media/wav.ts";
import { SpeechFailedError } from "../errors.ts";
import { checkText, checkVoice, synthesize8k, type TtsEngine, wavToTtsAudio } from "./engine.ts";
import { createTtsEngine } from "./factory.ts";

function fakeEngine(rate: number, ms: number): TtsEngine & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: "fake",
    calls,
    async synthesize(text) {
      calls.push(text);
      return { samples: generateTone(1000, ms, rate, 0.5), sampleRate: rate };
    },
    async check() {},
    async close() {},
  };
}

describe("tts engine helpers", () => {
  it("synthesize8k resamples to 8 kHz and keeps the level", async () => {
    const out = await synthesize8k(fakeEngine(22050, 500), "hello");
    assert.equal(out.sampleRate, 8000);
    assert.equal(out.samples.length, 4000);
    assert.ok(Math.abs(rms(out.samples.subarray(1000, 3000)) - 0.5 * 32767 * Math.SQRT1_2) < 300);
  });

  it("synthesize8k passes 8 kHz audio through untouched", async () => {
    const engine = fakeEngine(8000, 100);
    const out = await synthesize8k(engine, "x");
    assert.equal(out.samples.length, 800);
    assert.deepEqual(engine.calls, ["x"]);
  });

  it("wavToTtsAudio averages stereo to mono and rejects non-WAV bytes", () => {
    const stereo = new Int16Array([100, 300, -100, -300]);
    const audio = wavToTtsAudio(pcm16ToWav(stereo, 16000, 2), "t");
    assert.deepEqual([...audio.samples], [200, -200]);
    assert.equal(audio.sampleRate, 16000);
    assert.throws(
      () => wavToTtsAudio(new TextEncoder().encode("not a wav"), "t"),
      SpeechFailedError,
    );
  });

  it("refuses empty text and voice names that could act as options", () => {
    assert.throws(() => checkText("  \n", "t"), /nothing to say/);
    assert.throws(() => checkVoice("-w /etc/passwd", "t"), SpeechFailedError);
    assert.throws(() => checkVoice("en us", "t"), SpeechFailedError);
    assert.equal(checkVoice("roa/fr", "t"), "roa/fr");
    assert.equal(checkVoice("en-us+f3", "t"), "en-us+f3");
  });

  it("createTtsEngine builds each engine by name and rejects unknown ones", async () => {
    for (const name of ["flite-wasm", "espeak-ng-wasm", "espeak-ng", "flite"]) {
      const e = createTtsEngine(name);
      assert.equal(e.name, name);
      await e.close();
    }
    const h = createTtsEngine({ engine: "http", url: "http://127.0.0.1:1", model: "m" });
    assert.equal(h.name, "http");
    assert.equal(createTtsEngine().name, "flite-wasm");
    assert.throws(() => createTtsEngine("festival"), /unknown engine "festival"/);
    assert.throws(() => createTtsEngine("http"), /needs \{engine: "http", url, model\}/);
  });
});
