// Builds the STT engine the config's `speech.stt` names (README "The outside contract"):
// "pocketsphinx", "none" (no transcript: deliveries go without one), or an object for the
// OpenAI-compatible HTTP engine.

import { bufferingStream } from "./buffering-stream.ts";
import { HttpSttEngine, type HttpSttOptions } from "./http.ts";
import { PocketsphinxEngine, type PocketsphinxOptions } from "./pocketsphinx.ts";
import type { SttEngine, SttResult, SttStream, SttStreamOptions } from "./types.ts";

export type SttEngineSpec =
  | string
  | ({ engine: "http" } & HttpSttOptions)
  | ({ engine: "pocketsphinx" } & PocketsphinxOptions)
  | { engine: "none" };

export const STT_ENGINE_NAMES = ["pocketsphinx", "http", "none"] as const;

/** Always available, always silent: the transcript is empty. */
export class NoneSttEngine implements SttEngine {
  readonly name = "none";

  async check(): Promise<void> {}

  async transcribe(
    _audio: { samples: Int16Array; sampleRate: number },
    opts: { signal?: AbortSignal } = {},
  ): Promise<SttResult> {
    opts.signal?.throwIfAborted();
    return { text: "" };
  }

  startStream(opts: SttStreamOptions = {}): SttStream {
    return bufferingStream(this, opts);
  }
}

export function createSttEngine(spec: SttEngineSpec): SttEngine {
  if (typeof spec === "string") {
    switch (spec.trim().toLowerCase()) {
      case "pocketsphinx":
        return new PocketsphinxEngine();
      case "none":
      case "":
        return new NoneSttEngine();
      case "http":
        throw new TypeError('speech.stt: the "http" engine needs {engine: "http", url, model}');
      default:
        throw new TypeError(
          `speech.stt: unknown engine "${spec}" (one of ${STT_ENGINE_NAMES.join(", ")})`,
        );
    }
  }
  switch (spec.engine) {
    case "http": {
      const { engine: _, ...opts } = spec;
      return new HttpSttEngine(opts);
    }
    case "pocketsphinx": {
      const { engine: _, ...opts } = spec;
      return new PocketsphinxEngine(opts);
    }
    case "none":
      return new NoneSttEngine();
    default: {
      const engine = (spec as { engine?: unknown }).engine;
      throw new TypeError(
        `speech.stt: unknown engine ${JSON.stringify(engine)} (one of ${STT_ENGINE_NAMES.join(", ")})`,
      );
    }
  }
}
