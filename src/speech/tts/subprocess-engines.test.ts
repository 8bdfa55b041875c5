import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peer } from "../../../test/support/peers.ts";
import { rms } from "../../media/pcm.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import { EspeakNgEngine } from "./espeak-ng.ts";
import { FliteEngine } from "./flite.ts";

const espeak = peer("espeak-ng", "espeak-ng");
const flite = peer("flite", "flite");
const LONG = "A long message that keeps the program busy for a while. ".repeat(40);

describe("EspeakNgEngine (Debian espeak-ng subprocess)", () => {
  it("speaks text given on stdin, including text that looks like options", {
    skip: espeak.skip,
  }, async () => {
    const engine = new EspeakNgEngine({ command: espeak.path });
    await engine.check();
    const audio = await engine.synthesize("--version -w /tmp/x.wav; echo $(id) hello", {
      voice: "en-us",
    });
    assert.equal(audio.sampleRate, 22050);
    assert.ok(audio.samples.length / audio.sampleRate > 1.5, "the whole text was spoken");
    assert.ok(rms(audio.samples) > 500);
  });

  it("reports an unknown voice with espeak-ng's own message", { skip: espeak.skip }, async () => {
    const engine = new EspeakNgEngine({ command: espeak.path });
    await assert.rejects(engine.synthesize("hi", { voice: "xx-nope" }), (err: unknown) => {
      assert.ok(err instanceof SpeechFailedError);
      assert.match(err.message, /exited with 1.*voice does not exist/s);
      return true;
    });
  });

  it("kills the program when the caller aborts", { skip: espeak.skip }, async () => {
    const engine = new EspeakNgEngine({ command: espeak.path });
    const started = Date.now();
    await assert.rejects(
      engine.synthesize(LONG.repeat(20), { signal: AbortSignal.timeout(30) }),
      (err: unknown) => (err as Error).name === "TimeoutError",
    );
    assert.ok(Date.now() - started < 5000);
  });

  it("names the Debian package when the program is missing", async () => {
    const engine = new EspeakNgEngine({ command: "/nonexistent/espeak-ng" });
    await assert.rejects(engine.check(), (err: unknown) => {
      assert.ok(err instanceof SpeechEngineMissingError);
      assert.match(err.message, /Debian package espeak-ng/);
      assert.equal(err.code, "OMNIVOX_ERR_SPEECH_ENGINE_MISSING");
      return true;
    });
    await assert.rejects(engine.synthesize("hi"), SpeechEngineMissingError);
  });
});

describe("FliteEngine (Debian flite subprocess)", () => {
  it("speaks with its 8 kHz default voice and a 16 kHz named one", {
    skip: flite.skip,
  }, async () => {
    const engine = new FliteEngine({ command: flite.path });
    await engine.check();
    const kal = await engine.synthesize("You have one new message.");
    assert.equal(kal.sampleRate, 8000);
    assert.ok(kal.samples.length > 8000 && rms(kal.samples) > 300);
    const slt = await engine.synthesize("- starts with a dash", { voice: "slt" });
    assert.equal(slt.sampleRate, 16000);
    assert.ok(slt.samples.length > 8000);
  });

  it("refuses a voice flite does not have instead of falling back silently", {
    skip: flite.skip,
  }, async () => {
    const engine = new FliteEngine({ command: flite.path });
    await assert.rejects(
      engine.synthesize("hi", { voice: "nope" }),
      /unknown voice "nope" \(has .*slt/,
    );
  });

  it("names the Debian package when the program is missing", async () => {
    const engine = new FliteEngine({ command: "/nonexistent/flite" });
    await assert.rejects(engine.check(), /install the Debian package flite/);
  });
});
