// Text-to-speech by eSpeak-NG compiled to WASM (@echogarden/espeak-ng-emscripten, GPL-3.0): the
// many-languages option, for the operator who installs that package (it is not among omnivox's
// dependencies, README "Speech"). Synthesis runs in worker threads so it never blocks the loop.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EnginePool } from "../engine-pool.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import {
  checkText,
  checkVoice,
  poolOptions,
  type TtsAudio,
  type TtsEngine,
  type TtsOptions,
  type TtsPoolOptions,
} from "./engine.ts";

const PACKAGE = "@echogarden/espeak-ng-emscripten";
/** GPL-3.0, so not installed with omnivox: the operator who wants it adds it. */
const MISSING = `the npm package ${PACKAGE} (GPL-3.0: npm install ${PACKAGE})`;

/**
 * The worker body, as JavaScript evaluated by the Worker: a .ts worker file would need the tsx
 * loader registered inside the worker too, which `bin/omnivox.js` (in-process register) does not
 * pass on. It loads the module once and then serves one request at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  let espeak;
  try {
    const load = (await import(workerData.moduleUrl)).default;
    const mod = await load();
    espeak = new mod.eSpeakNGWorker();
    parentPort.postMessage({ type: "ready", sampleRate: espeak.samplerate });
  } catch (err) {
    parentPort.postMessage({ type: "load-error", message: String((err && err.stack) || err) });
    return;
  }
  parentPort.on("message", (req) => {
    try {
      if (espeak.set_voice(req.voice) !== 0) {
        parentPort.postMessage({ type: "failed", message: "unknown voice " + JSON.stringify(req.voice) });
        return;
      }
      const chunks = [];
      let n = 0;
      // Returning false lets eSpeak go on; each callback hands over one block of samples.
      espeak.synthesize(req.text, (audio) => {
        if (audio && audio.length > 0) { chunks.push(audio); n += audio.length; }
        return false;
      });
      const samples = new Int16Array(n);
      let at = 0;
      for (const c of chunks) { samples.set(c, at); at += c.length; }
      parentPort.postMessage({ type: "result", samples }, [samples.buffer]);
    } catch (err) {
      parentPort.postMessage({ type: "failed", message: String((err && err.message) || err) });
    }
  });
})();
`;

type FromWorker =
  | { type: "ready"; sampleRate: number }
  | { type: "load-error"; message: string }
  | { type: "result"; samples: Int16Array }
  | { type: "failed"; message: string };

/** One worker thread holding one eSpeak instance; it serves a single request at a time. */
class SynthWorker {
  readonly #worker: Worker;
  readonly ready: Promise<number>;
  #pending: ((msg: FromWorker | Error) => void) | undefined;
  dead = false;

  constructor(moduleUrl: string) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { moduleUrl } });
    this.#worker.unref();
    this.ready = new Promise<number>((resolve, reject) => {
      this.#pending = (msg) => {
        if (msg instanceof Error) reject(msg);
        else if (msg.type === "ready") resolve(msg.sampleRate);
        else
          reject(
            new SpeechEngineMissingError("espeak-ng-wasm", MISSING, {
              cause: new Error(msg.type === "load-error" ? msg.message : msg.type),
            }),
          );
      };
    });
    // Unobserved until the first job awaits it; avoid an unhandled rejection meanwhile.
    this.ready.catch(() => {});
    this.#worker.on("message", (msg: FromWorker) => this.#deliver(msg));
    this.#worker.on("error", (err) => this.#die(err));
    this.#worker.on("exit", (code) =>
      this.#die(new SpeechFailedError(`espeak-ng-wasm worker exited (${code})`)),
    );
  }

  async synthesize(text: string, voice: string, signal: AbortSignal): Promise<TtsAudio> {
    this.#worker.ref();
    const onAbort = () => {
      // eSpeak cannot be interrupted inside the WASM call: the thread has to go.
      this.#die(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal.aborted) throw signal.reason;
      const sampleRate = await this.ready;
      const msg = await new Promise<FromWorker | Error>((resolve) => {
        this.#pending = resolve;
        this.#worker.postMessage({ text, voice });
      });
      if (msg instanceof Error) throw msg;
      if (msg.type === "result") return { samples: msg.samples, sampleRate };
      throw new SpeechFailedError(`espeak-ng-wasm: ${"message" in msg ? msg.message : msg.type}`);
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (!this.dead) this.#worker.unref();
    }
  }

  terminate(): Promise<number> {
    this.dead = true;
    return this.#worker.terminate();
  }

  #deliver(msg: FromWorker | Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(msg);
  }

  #die(reason: unknown): void {
    if (!this.dead) {
      this.dead = true;
      void this.#worker.terminate();
    }
    this.#deliver(reason instanceof Error ? reason : new SpeechFailedError(String(reason)));
  }
}

/** `concurrency` is also the number of worker threads, each with its own ~25 MB of voice data. */
export interface EspeakWasmOptions extends TtsPoolOptions {
  /** Used when a call names neither voice nor language. */
  defaultVoice?: string;
}

export class EspeakWasmEngine implements TtsEngine {
  readonly name = "espeak-ng-wasm";
  readonly #defaultVoice: string;
  readonly #pool: EnginePool;
  readonly #idle: SynthWorker[] = [];
  readonly #all = new Set<SynthWorker>();
  #moduleUrl: string | undefined;

  constructor(opts: EspeakWasmOptions = {}) {
    this.#defaultVoice = opts.defaultVoice ?? "en-us";
    // The pool's concurrency bounds the number of worker threads.
    this.#pool = new EnginePool(poolOptions(this.name, opts, Math.min(2, availableParallelism())));
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsAudio> {
    checkText(text, this.name);
    const voice = checkVoice(opts.voice ?? opts.language ?? this.#defaultVoice, this.name);
    return this.#pool.run((signal) => this.#withWorker((w) => w.synthesize(text, voice, signal)), {
      signal: opts.signal,
    });
  }

  async check(): Promise<void> {
    await this.#pool.run(() => this.#withWorker((w) => w.ready));
  }

  async close(): Promise<void> {
    this.#pool.close();
    await Promise.all([...this.#all].map((w) => w.terminate()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  async #withWorker<T>(use: (w: SynthWorker) => Promise<T>): Promise<T> {
    const worker = this.#idle.pop() ?? this.#spawn();
    try {
      return await use(worker);
    } finally {
      if (worker.dead) this.#all.delete(worker);
      else this.#idle.push(worker);
    }
  }

  #spawn(): SynthWorker {
    if (this.#moduleUrl === undefined) {
      try {
        this.#moduleUrl = import.meta.resolve(PACKAGE);
      } catch (err) {
        throw new SpeechEngineMissingError(this.name, MISSING, { cause: err });
      }
    }
    const worker = new SynthWorker(this.#moduleUrl);
    this.#all.add(worker);
    return worker;
  }
}
