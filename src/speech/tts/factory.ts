// Builds a TTS engine from the `speech.tts` config value (README "The outside contract"): an engine
// name, or an object for the OpenAI-compatible HTTP engine.

import { SpeechFailedError } from "../errors.ts";
import type { TtsEngine, TtsPoolOptions } from "./engine.ts";
import { EspeakNgEngine } from "./espeak-ng.ts";
import { EspeakWasmEngine } from "./espeak-wasm.ts";
import { FliteEngine } from "./flite.ts";
import { FliteWasmEngine } from "./flite-wasm.ts";
import { HttpTtsEngine } from "./http.ts";

export const TTS_ENGINE_NAMES = [
  "flite-wasm",
  "espeak-ng-wasm",
  "espeak-ng",
  "flite",
  "http",
] as const;
export type TtsEngineName = (typeof TTS_ENGINE_NAMES)[number];

export interface HttpTtsSpec extends TtsPoolOptions {
  engine: "http";
  url: string;
  model: string;
  voice?: string;
  apiKey?: string;
}

export type TtsEngineSpec = Exclude<TtsEngineName, "http"> | HttpTtsSpec;

/**
 * The default when the config names no engine: works after `npm install` alone, under a
 * permissive licence (Flite's), as omnivox itself is MIT.
 */
export const DEFAULT_TTS_ENGINE = "flite-wasm";

export function createTtsEngine(
  spec: string | HttpTtsSpec = DEFAULT_TTS_ENGINE,
  pool: TtsPoolOptions = {},
): TtsEngine {
  if (typeof spec === "object") {
    if (spec.engine !== "http" || !spec.url || !spec.model) {
      throw new SpeechFailedError('tts: an object spec needs engine "http", url and model');
    }
    return new HttpTtsEngine({ ...pool, ...spec });
  }
  switch (spec) {
    case "flite-wasm":
      return new FliteWasmEngine(pool);
    case "espeak-ng-wasm":
      return new EspeakWasmEngine(pool);
    case "espeak-ng":
      return new EspeakNgEngine(pool);
    case "flite":
      return new FliteEngine(pool);
    case "http":
      throw new SpeechFailedError('tts: engine "http" needs {engine: "http", url, model}');
    default:
      throw new SpeechFailedError(
        `tts: unknown engine "${spec}" (one of ${TTS_ENGINE_NAMES.join(", ")})`,
      );
  }
}
