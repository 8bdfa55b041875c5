import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { peer } from "../../../test/support/peers.ts";
import { concatPcm, generateTone } from "../../media/pcm.ts";
import { synthesize8k } from "../tts/engine.ts";
import { EspeakNgEngine } from "../tts/espeak-ng.ts";
import { EspeakWasmEngine } from "../tts/espeak-wasm.ts";
import { EndOfSpeech, trimSilence } from "./endpoint.ts";
import { createVad, type Vad, type VadMode } from "./vad.ts";

const SENTENCE = "You have three new messages from Alice, received this morning.";
const espeak = peer("espeak-ng", "espeak-ng");

/** Deterministic white noise, so the test sees the same samples every run. */
function noise(samples: number, amplitude: number): Int16Array {
  let seed = 12345;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out[i] = Math.round(((seed / 2 ** 32) * 2 - 1) * amplitude);
  }
  return out;
}

/** Speech decisions for each 20 ms frame. */
function decide(vad: Vad, samples: Int16Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160)
    out.push(vad.isSpeech(samples.subarray(i, i + 160)));
  return out;
}

const share = (d: boolean[]) => d.filter(Boolean).length / d.length;

describe("WebRTC VAD (fvad WASM) at 8 kHz", () => {
  let speech8k: Int16Array;
  let vad: Vad;

  before(async () => {
    const engine = new EspeakWasmEngine({ concurrency: 1 });
    speech8k = (await synthesize8k(engine, SENTENCE)).samples;
    await engine.close();
    vad = await createVad({ mode: 2, sampleRate: 8000 });
  });
  after(() => vad.close());

  it("calls the WASM TTS output speech", () => {
    vad.reset();
    assert.ok(share(decide(vad, speech8k)) > 0.8);
  });

  it("calls Debian espeak-ng output speech", { skip: espeak.skip }, async () => {
    const engine = new EspeakNgEngine({ command: espeak.path });
    const audio = await synthesize8k(engine, SENTENCE);
    vad.reset();
    assert.ok(share(decide(vad, audio.samples)) > 0.8);
  });

  it("does not call digital silence or low noise speech, once past its first 100 ms", () => {
    for (const [label, signal] of [
      ["silence", new Int16Array(16000)],
      ["noise at -60 dBFS", noise(16000, 30)],
      ["noise at -40 dBFS", noise(16000, 300)],
    ] as const) {
      vad.reset();
      const d = decide(vad, signal);
      // Up to the first 5 frames are speech for any input until the noise estimate settles (measured).
      assert.deepEqual(d.slice(5).filter(Boolean).length, 0, label);
    }
  });

  it("reports what it makes of a 1 kHz tone in each mode (no expectation)", async (t) => {
    const tone = generateTone(1000, 2000, 8000, 0.5);
    const seen: string[] = [];
    for (const mode of [0, 1, 2, 3] as VadMode[]) {
      const v = await createVad({ mode, sampleRate: 8000 });
      const first = share(decide(v, tone));
      v.reset();
      const again = share(decide(v, tone));
      v.close();
      assert.equal(again, first, "reset() gives the same decisions again");
      seen.push(`mode ${mode}: ${(first * 100).toFixed(0)}% speech`);
    }
    t.diagnostic(`1 kHz tone at -9 dBFS: ${seen.join(", ")}`);
  });

  it("rejects frames of the wrong length and unsupported rates", async () => {
    assert.throws(() => vad.isSpeech(new Int16Array(100)), /80, 160, 240 samples/);
    await assert.rejects(createVad({ sampleRate: 22050 }), RangeError);
  });

  it("trimSilence cuts leading and trailing noise around speech at any rate", async () => {
    const padded = concatPcm([noise(8000, 30), speech8k, noise(12000, 30)]);
    const trimmed = await trimSilence(padded, 8000, { paddingMs: 100 });
    // The VAD holds "speech" a few frames past the end (its hangover): allow 300 ms for it.
    assert.ok(trimmed.length <= speech8k.length + 1600 + 2400, `${trimmed.length}`);
    assert.ok(trimmed.length >= speech8k.length * 0.9, `${trimmed.length}`);
    assert.equal((await trimSilence(noise(16000, 30), 8000)).length, 0);
    // 22050 Hz is analysed at 8 kHz and cut at the matching positions.
    const engine = new EspeakWasmEngine({ concurrency: 1 });
    const raw = await engine.synthesize("Hello there.");
    await engine.close();
    const wide = concatPcm([new Int16Array(22050), raw.samples, new Int16Array(22050)]);
    const cut = await trimSilence(wide, 22050, { paddingMs: 0 });
    assert.ok(cut.length <= raw.samples.length + 0.3 * 22050, `${cut.length}`);
    assert.ok(cut.length > raw.samples.length * 0.6, `${cut.length}`);
  });
});

describe("EndOfSpeech", () => {
  it("waits through silence, follows speech, and ends after the set silence", async () => {
    const engine = new EspeakWasmEngine({ concurrency: 1 });
    const speech = (await synthesize8k(engine, "Please call me back.")).samples;
    await engine.close();
    const vad = await createVad({ mode: 2, sampleRate: 8000 });
    const eos = new EndOfSpeech(vad, { silenceMs: 500 });
    // 30 ms chunks, as a peer with ptime 30 sends them, exercise the re-framing.
    const feed = (s: Int16Array) => {
      const states: string[] = [];
      for (let i = 0; i < s.length; i += 240) states.push(eos.push(s.subarray(i, i + 240)));
      return states;
    };
    assert.ok(feed(noise(8000, 30)).every((s) => s === "waiting"));
    assert.equal(feed(speech).at(-1), "speaking");
    assert.ok(eos.speechMs > 500);
    const after = feed(noise(8000, 30));
    const endedAt = after.indexOf("ended");
    assert.ok(endedAt > 0, "ended within a second of silence");
    // Ended no earlier than 500 ms into the silence (ignoring the speech's own trailing frames).
    assert.ok(endedAt * 30 >= 400, `ended after ${endedAt * 30} ms`);
    assert.equal(eos.push(speech), "ended", "ended is final");
    vad.close();
  });
});
