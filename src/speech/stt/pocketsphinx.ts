// Offline speech-to-text with CMU pocketsphinx (Debian pocketsphinx + pocketsphinx-en-us,
// 0.8+5prealpha): the `pocketsphinx_continuous` program fed raw 16 kHz PCM, whole or streamed.

import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { EnginePool } from "../engine-pool.ts";
import { SpeechEngineMissingError, SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { type DecoderProcess, startDecoder } from "./decoder-process.ts";
import type {
  SttAudio,
  SttEngine,
  SttOptions,
  SttResult,
  SttStream,
  SttStreamOptions,
} from "./types.ts";
import { resampleLinear, to16k, Upsampler2x } from "./upsample.ts";

export const POCKETSPHINX_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";

export interface PocketsphinxOptions {
  /** The decoder program, looked up on PATH unless it holds a "/". */
  binary?: string;
  /** Where hmm/lm/dict are found by default (the pocketsphinx-en-us layout). */
  modelDir?: string;
  hmm?: string;
  lm?: string;
  dict?: string;
  /** More decoder flags, e.g. ["-lw", "8"]. */
  args?: string[];
  /** Decoders running at once for transcribe(); streams run outside this limit (one per call). */
  concurrency?: number;
  maxQueue?: number;
  /** Limit on one transcribe(), and on a stream's end() after its last frame. */
  timeoutMs?: number;
}

async function onPath(binary: string): Promise<boolean> {
  const dirs = binary.includes("/") ? [""] : (process.env.PATH ?? "").split(delimiter);
  for (const dir of dirs) {
    try {
      await access(dir ? join(dir, binary) : binary, constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

function checkLanguage(language: string | undefined): void {
  if (language !== undefined && !/^en(\b|[-_])/i.test(language)) {
    throw new SpeechFailedError(`pocketsphinx has only the en-us model, not "${language}"`);
  }
}

const aborted = (signal: AbortSignal | undefined): unknown =>
  signal?.reason ?? new DOMException("The transcription was aborted", "AbortError");

export class PocketsphinxEngine implements SttEngine {
  readonly name = "pocketsphinx";
  readonly #binary: string;
  readonly #models: { hmm: string; lm: string; dict: string };
  readonly #args: string[];
  readonly #timeoutMs: number;
  readonly #pool: EnginePool;
  #ready: Promise<void> | undefined;

  constructor(opts: PocketsphinxOptions = {}) {
    const dir = opts.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.#binary = opts.binary ?? "pocketsphinx_continuous";
    this.#models = {
      hmm: opts.hmm ?? join(dir, "en-us"),
      lm: opts.lm ?? join(dir, "en-us.lm.bin"),
      dict: opts.dict ?? join(dir, "cmudict-en-us.dict"),
    };
    this.#args = opts.args ?? [];
    this.#timeoutMs = opts.timeoutMs ?? 300_000;
    this.#pool = new EnginePool({
      concurrency: opts.concurrency ?? 2,
      maxQueue: opts.maxQueue ?? 64,
      timeoutMs: this.#timeoutMs,
      name: this.name,
    });
  }

  async check(): Promise<void> {
    if (!(await onPath(this.#binary))) {
      throw new SpeechEngineMissingError(this.name, "the Debian package pocketsphinx");
    }
    const { hmm, lm, dict } = this.#models;
    for (const file of [join(hmm, "mdef"), lm, dict]) {
      try {
        await access(file, constants.R_OK);
      } catch (err) {
        throw new SpeechEngineMissingError(this.name, "the Debian package pocketsphinx-en-us", {
          cause: err,
        });
      }
    }
  }

  async transcribe(audio: SttAudio, opts: SttOptions = {}): Promise<SttResult> {
    checkLanguage(opts.language);
    await this.#checked();
    const samples = to16k(audio);
    return this.#pool.run(async (signal) => {
      const decoder = this.#start();
      const onAbort = () => decoder.kill(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        decoder.write(samples);
        return await decoder.finish();
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    }, opts);
  }

  /**
   * One decoder for the whole stream, started at once: utterances are decoded while the audio
   * arrives, so end() only waits for the last one. 8 kHz frames go through the streaming 2×
   * sinc upsampler; other rates are interpolated linearly frame by frame.
   */
  startStream(opts: SttStreamOptions = {}): SttStream {
    const rate = opts.sampleRate ?? 8000;
    let failure: unknown;
    try {
      checkLanguage(opts.language);
    } catch (err) {
      failure = err;
    }
    const decoder = failure === undefined ? this.#start() : undefined;
    const up = rate === 8000 ? new Upsampler2x() : undefined;
    const convert = (frame: Int16Array) =>
      up ? up.process(frame) : rate === 16000 ? frame : resampleLinear(frame, rate, 16000);
    let open = true;
    const signal = opts.signal;
    const onAbort = () => stream.abort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const stream: SttStream = {
      write: (frame) => {
        if (open && decoder) decoder.write(convert(frame));
      },
      end: async () => {
        if (!decoder) throw failure;
        if (open) {
          open = false;
          if (up) decoder.write(up.flush());
        }
        const timer = setTimeout(
          () => decoder.kill(new SpeechTimeoutError(this.#timeoutMs, this.name)),
          this.#timeoutMs,
        );
        try {
          return await decoder.finish();
        } catch (err) {
          await this.check(); // a missing model shows up as a crash: name the package instead
          throw err;
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        }
      },
      abort: () => {
        open = false;
        signal?.removeEventListener("abort", onAbort);
        decoder?.kill(aborted(signal));
      },
    };
    if (signal?.aborted) stream.abort();
    return stream;
  }

  #start(): DecoderProcess {
    const { hmm, lm, dict } = this.#models;
    const args = ["-infile", "/dev/stdin", "-hmm", hmm, "-lm", lm, "-dict", dict, "-time", "yes"];
    return startDecoder(this.#binary, [...args, ...this.#args]);
  }

  /** check() once; a failure is not remembered, so installing the package later is seen. */
  #checked(): Promise<void> {
    this.#ready ??= this.check().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }
}
