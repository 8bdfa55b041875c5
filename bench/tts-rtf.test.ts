import assert from "node:assert/strict";
import { it } from "node:test";
import { generateTone } from "../src/media/pcm.ts";
import type { TtsEngine } from "../src/speech/tts/engine.ts";
import { measureTtsRtf } from "./tts-rtf.ts";

/** An engine that returns `ms` of tone at `rate` at once, so only the arithmetic is measured. */
function toneEngine(rate: number, ms: number): TtsEngine {
  return {
    name: "fake",
    async synthesize() {
      return { samples: generateTone(1000, ms, rate, 0.5), sampleRate: rate };
    },
    async check() {},
    async close() {},
  };
}

it("measureTtsRtf divides synthesis time by audio duration", async () => {
  const r = await measureTtsRtf(toneEngine(8000, 2000), { runs: 2 });
  assert.equal(r.engine, "fake");
  assert.equal(r.runs, 2);
  assert.equal(r.audioMs, 2000);
  assert.ok(Math.abs(r.rtf - r.synthMs / 2000) < 1e-12);
});
