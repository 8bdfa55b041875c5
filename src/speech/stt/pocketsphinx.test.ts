// The pocketsphinx engine with the real Debian programs: synthesised speech (espeak-ng, flite)
// through 8 kHz G.711 µ-law, transcribed whole and streamed; abort, timeout and missing packages.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, test } from "node:test";
import { peer } from "../../../test/support/peers.ts";
import { phoneSpeech, synthesize } from "../../../test/support/synth-speech.ts";
import { normalizeWords } from "../../../test/support/wer.ts";
import { SpeechEngineMissingError, SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { startDecoder } from "./decoder-process.ts";
import { POCKETSPHINX_MODEL_DIR, PocketsphinxEngine } from "./pocketsphinx.ts";

const PHRASE = "please call me back about the invoice";
const sphinx = peer("pocketsphinx_continuous", "pocketsphinx");
const espeak = peer("espeak-ng", "espeak-ng");
const flite = peer("flite", "flite");
const sox = peer("sox", "sox");
const skip = sphinx.skip ?? espeak.skip ?? flite.skip ?? sox.skip;

const shared = (text: string) => {
  const ref = new Set(normalizeWords(PHRASE));
  return [...new Set(normalizeWords(text))].filter((w) => ref.has(w));
};

describe("pocketsphinx on telephone audio", { skip }, () => {
  const engine = new PocketsphinxEngine();
  let espeakAudio: Int16Array;
  let fliteAudio: Int16Array;
  let dictionary: Set<string>;

  before(async () => {
    await engine.check(); // the model package is there too, or this names it
    [espeakAudio, fliteAudio] = await Promise.all([
      phoneSpeech(PHRASE, "espeak-ng"),
      phoneSpeech(PHRASE, "flite"),
    ]);
    const dict = await readFile(`${POCKETSPHINX_MODEL_DIR}/cmudict-en-us.dict`, "utf8");
    dictionary = new Set(dict.split("\n").map((l) => l.split(" ")[0]!.replace(/\(\d+\)$/, "")));
  });

  test("espeak-ng speech: a non-empty transcript of dictionary words", async (t) => {
    const result = await engine.transcribe({ samples: espeakAudio, sampleRate: 8000 });
    t.diagnostic(`espeak-ng → "${result.text}" (confidence ${result.confidence?.toFixed(2)})`);
    // Pocketsphinx's natural-speech model does badly on eSpeak's formant voice: it has produced
    // "you are what are you" here, sharing no word with the phrase, so only the form is checked.
    const words = normalizeWords(result.text);
    assert.ok(words.length > 0, "empty transcript");
    for (const w of words) assert.ok(dictionary.has(w), `"${w}" is not a dictionary word`);
    assert.ok(result.confidence! >= 0 && result.confidence! <= 1);
  });

  test("flite speech: the transcript shares a word with the phrase", async (t) => {
    const result = await engine.transcribe({ samples: fliteAudio, sampleRate: 8000 });
    t.diagnostic(`flite → "${result.text}", shared: ${shared(result.text).join(", ")}`);
    // It has produced "we'd all be bothered about what": only "about" survives the phone band.
    assert.ok(shared(result.text).length >= 1, `"${result.text}"`);
  });

  test("control: the same flite speech at 16 kHz, not band-limited, is mostly recognised", async (t) => {
    const wide = await synthesize(PHRASE, "flite", 16000);
    const result = await engine.transcribe({ samples: wide, sampleRate: 16000 });
    t.diagnostic(`flite 16 kHz → "${result.text}"`);
    assert.ok(shared(result.text).length >= 4, `"${result.text}"`);
  });

  test("streaming the same audio in 20 ms frames gives the same transcript at end()", async () => {
    const whole = await engine.transcribe({ samples: fliteAudio, sampleRate: 8000 });
    const stream = engine.startStream({ language: "en-US" });
    const frame = new Int16Array(160); // one buffer reused for every frame, as an RTP leg does
    for (let at = 0; at < fliteAudio.length; at += 160) {
      const part = fliteAudio.subarray(at, at + 160);
      frame.set(part);
      stream.write(part.length === 160 ? frame : part);
    }
    const streamed = await stream.end();
    assert.notEqual(streamed.text, "");
    assert.equal(streamed.text, whole.text);
  });

  test("abort kills the decoder and rejects with the reason; the engine keeps working", async () => {
    const long = new Int16Array(espeakAudio.length * 20);
    for (let i = 0; i < 20; i++) long.set(espeakAudio, i * espeakAudio.length);
    const ac = new AbortController();
    const pending = engine.transcribe({ samples: long, sampleRate: 8000 }, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("caller hung up")), 300);
    await assert.rejects(pending, /caller hung up/);
    const stream = engine.startStream();
    stream.write(espeakAudio);
    stream.abort();
    await assert.rejects(stream.end(), { name: "AbortError" });
  });

  test("a decoder over its time limit is killed with SpeechTimeoutError", async () => {
    const slow = new PocketsphinxEngine({ timeoutMs: 200 });
    const long = new Int16Array(8000 * 60);
    long.set(espeakAudio);
    await assert.rejects(slow.transcribe({ samples: long, sampleRate: 8000 }), SpeechTimeoutError);
  });

  test("kill() takes down the whole process group (sh, cat and the decoder)", async () => {
    const d = startDecoder("pocketsphinx_continuous", ["-infile", "/dev/stdin"]);
    d.write(espeakAudio);
    d.kill(new Error("stop"));
    await assert.rejects(d.exited, /stop/);
    // All three are dead once `exited` settles (they held its pipes); their zombies are reaped
    // by init a moment later, after which the group is gone.
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(-d.pid!, 0);
        } catch (err) {
          return (err as NodeJS.ErrnoException).code;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return "still running after 2 s";
    };
    assert.equal(await gone(), "ESRCH");
  });
});

test("missing program or model names the Debian package; other languages are refused", async () => {
  const noBinary = new PocketsphinxEngine({ binary: "no-such-pocketsphinx" });
  await assert.rejects(noBinary.check(), (err: unknown) => {
    assert.ok(err instanceof SpeechEngineMissingError);
    assert.match(err.message, /Debian package pocketsphinx$/);
    return true;
  });
  const audio = { samples: new Int16Array(800), sampleRate: 8000 };
  await assert.rejects(noBinary.transcribe(audio), SpeechEngineMissingError);
  // The stream starts its decoder at once; the shell's "not found" becomes the same error.
  await assert.rejects(noBinary.startStream().end(), /Debian package pocketsphinx$/);

  const noModel = new PocketsphinxEngine({ modelDir: "/nonexistent/en-us" });
  if (!sphinx.skip) {
    await assert.rejects(noModel.check(), /Debian package pocketsphinx-en-us/);
    await assert.rejects(noModel.startStream().end(), /Debian package pocketsphinx-en-us/);
  }
  await assert.rejects(
    new PocketsphinxEngine().transcribe(audio, { language: "de" }),
    SpeechFailedError,
  );
});
