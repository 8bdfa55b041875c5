// Wires the speech engines (docs/architecture.md "Choices" "Speech") into the running gateway: the
// STT engine of `speech.stt` transcribes voicemail deposits while they are recorded, the TTS engine
// of `speech.tts` speaks text into voicemail boxes (the converter text → voice). Both are checked
// at start-up: a missing engine stops it with a message naming the package.

import type { Logger } from "pino";
import type { DepositTranscriber } from "../adapters/telephone/transcript.ts";
import type { Config } from "../config/schema.ts";
import { isText } from "../core/communication.ts";
import { ConfigError, ConversionError } from "../core/errors.ts";
import type { Resample } from "../gateway/convert/phone-audio.ts";
import type { ConverterRegistry } from "../gateway/convert/registry.ts";
import { textToVoice } from "../gateway/convert/speech.ts";
import { pcm16ToWav } from "../media/wav.ts";
import { bufferingStream } from "../speech/stt/buffering-stream.ts";
import { createSttEngine } from "../speech/stt/factory.ts";
import type { SttEngine } from "../speech/stt/types.ts";
import type { TtsEngine } from "../speech/tts/engine.ts";
import { synthesize8k } from "../speech/tts/engine.ts";
import { createTtsEngine } from "../speech/tts/factory.ts";
import type { Store } from "../store/types.ts";

export interface Speech {
  readonly stt: SttEngine;
  readonly tts: TtsEngine;
  /** Transcribes deposits; absent when `speech.stt` is "none". */
  readonly transcriber?: DepositTranscriber;
  /** Adds text → voice (TTS) to the converters. */
  converters(registry: ConverterRegistry): ConverterRegistry;
  close(): Promise<void>;
}

export interface SpeechDeps {
  store: Store;
  logger: Logger;
  /** Where TTS output is resampled to 8 kHz (the audio worker pool); inline without it. */
  resample?: Resample;
}

async function checked<E extends { check(): Promise<void> }>(
  key: string,
  make: () => E,
): Promise<E> {
  let engine: E;
  try {
    engine = make();
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await engine.check();
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`, { cause: err });
  }
  return engine;
}

export async function startSpeech(config: Config, deps: SpeechDeps): Promise<Speech> {
  const { store, logger } = deps;
  const language = config.speech.language;
  const stt = await checked("speech.stt", () => createSttEngine(config.speech.stt));
  const tts = await checked("speech.tts", () => createTtsEngine(config.speech.tts));
  logger.info({ stt: stt.name, tts: tts.name }, "speech engines ready");

  const streamOpts = { sampleRate: 8000, ...(language ? { language } : {}) };
  const transcriber: DepositTranscriber | undefined =
    stt.name === "none"
      ? undefined
      : {
          waitMs: config.speech.transcriptWaitMs,
          // Streaming engines take frames as they come; the others get the whole recording.
          start: () => stt.startStream?.(streamOpts) ?? bufferingStream(stt, streamOpts),
          late: async (userId, messageId, text) => {
            await store.voicemail.update(userId, messageId, { transcript: text });
          },
        };

  return {
    stt,
    tts,
    ...(transcriber ? { transcriber } : {}),
    converters: (registry) =>
      registry.register("text", "voice", (c, profile, route) => {
        if (!isText(c)) throw new ConversionError(`${c.kind} is not text`);
        return textToVoice(c, profile, route, {
          speak: async (text, opts) => {
            const lang = opts.language ?? language;
            const audio = await synthesize8k(
              tts,
              text,
              { ...(opts.voice ? { voice: opts.voice } : {}), ...(lang ? { language: lang } : {}) },
              deps.resample,
            );
            return audio.samples;
          },
          saveAudio: (audioId, samples, rate) =>
            store.audio.put(audioId, pcm16ToWav(samples, rate), "audio/wav"),
        });
      }),
    close: () => tts.close(),
  };
}
