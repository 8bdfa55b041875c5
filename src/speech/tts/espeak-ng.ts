// Text-to-speech by the Debian espeak-ng program as a subprocess: text on stdin (never argv or a
// shell), a WAV stream on stdout (`espeak-ng -v VOICE --stdout --stdin -b 1`).

import { availableParallelism } from "node:os";
import { EnginePool } from "../engine-pool.ts";
import {
  checkText,
  checkVoice,
  poolOptions,
  type TtsAudio,
  type TtsEngine,
  type TtsOptions,
  type TtsPoolOptions,
  wavToTtsAudio,
} from "./engine.ts";
import { runProgram } from "./subprocess.ts";

export interface EspeakNgOptions extends TtsPoolOptions {
  /** Program to run; "espeak-ng" on PATH by default. */
  command?: string;
  /** Used when a call names neither voice nor language. */
  defaultVoice?: string;
}

export class EspeakNgEngine implements TtsEngine {
  readonly name = "espeak-ng";
  readonly #command: string;
  readonly #defaultVoice: string;
  readonly #pool: EnginePool;

  constructor(opts: EspeakNgOptions = {}) {
    this.#command = opts.command ?? "espeak-ng";
    this.#defaultVoice = opts.defaultVoice ?? "en-us";
    this.#pool = new EnginePool(poolOptions(this.name, opts, Math.min(4, availableParallelism())));
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsAudio> {
    checkText(text, this.name);
    const voice = checkVoice(opts.voice ?? opts.language ?? this.#defaultVoice, this.name);
    // -b 1: the input is UTF-8, whatever the locale the server runs under.
    const args = ["-v", voice, "-b", "1", "--stdout", "--stdin"];
    const wav = await this.#pool.run(
      (signal) =>
        runProgram(this.#command, args, { input: text, signal, debianPackage: "espeak-ng" }),
      { signal: opts.signal },
    );
    return wavToTtsAudio(wav, this.name);
  }

  async check(): Promise<void> {
    await runProgram(this.#command, ["--version"], {
      signal: AbortSignal.timeout(5000),
      debianPackage: "espeak-ng",
    });
  }

  async close(): Promise<void> {
    this.#pool.close();
  }
}
