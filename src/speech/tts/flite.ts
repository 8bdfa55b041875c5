// Text-to-speech by the Debian flite program as a subprocess. Text and WAV go through a private
// temp directory: flite reads text only from argv or a file, and seeks in the WAV it writes.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { EnginePool } from "../engine-pool.ts";
import { SpeechFailedError } from "../errors.ts";
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

export interface FliteOptions extends TtsPoolOptions {
  command?: string;
  /** flite's own default is "kal" (8 kHz diphone); "slt", "awb", "rms" are 16 kHz. */
  defaultVoice?: string;
}

export class FliteEngine implements TtsEngine {
  readonly name = "flite";
  readonly #command: string;
  readonly #defaultVoice: string | undefined;
  readonly #pool: EnginePool;
  #voices: Promise<string[]> | undefined;

  constructor(opts: FliteOptions = {}) {
    this.#command = opts.command ?? "flite";
    this.#defaultVoice = opts.defaultVoice;
    this.#pool = new EnginePool(poolOptions(this.name, opts, Math.min(4, availableParallelism())));
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsAudio> {
    checkText(text, this.name);
    // flite speaks English only, so a language tag cannot choose among its voices.
    const voice = opts.voice ?? this.#defaultVoice;
    if (voice !== undefined) await this.#checkKnownVoice(checkVoice(voice, this.name));
    const wav = await this.#pool.run(
      async (signal) => {
        const dir = await mkdtemp(join(tmpdir(), "omnivox-flite-"));
        try {
          const textFile = join(dir, "text.txt");
          const wavFile = join(dir, "out.wav");
          await writeFile(textFile, text, "utf8");
          const args = [...(voice ? ["-voice", voice] : []), "-f", textFile, "-o", wavFile];
          await runProgram(this.#command, args, { signal, debianPackage: "flite" });
          return await readFile(wavFile);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      { signal: opts.signal },
    );
    return wavToTtsAudio(wav, this.name);
  }

  async check(): Promise<void> {
    await this.#listVoices();
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  /** flite falls back to its default voice without a word when a name is unknown: refuse instead. */
  async #checkKnownVoice(voice: string): Promise<void> {
    const voices = await this.#listVoices();
    if (!voices.includes(voice)) {
      throw new SpeechFailedError(`flite: unknown voice "${voice}" (has ${voices.join(", ")})`);
    }
  }

  #listVoices(): Promise<string[]> {
    this.#voices ??= runProgram(this.#command, ["-lv"], {
      signal: AbortSignal.timeout(5000),
      debianPackage: "flite",
    }).then(
      (out) => out.toString("utf8").replace(/^.*:/s, "").trim().split(/\s+/),
      (err: unknown) => {
        this.#voices = undefined;
        throw err;
      },
    );
    return this.#voices;
  }
}
