// Audio conversion off the event loop (README "Audio conversion", docs/security.md): WAV decoding,
// mixing, resampling to 8 kHz and levelling (gateway/convert/phone-audio.ts) and the resampling of
// TTS output run in worker threads (audio-worker.ts) within `media.budgetMs` and `media.maxBytes`,
// so a long message never holds up SIP, RTP or HTTP. Small inputs stay inline: posting them to a
// thread costs more than converting them.

import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { ConversionError } from "../core/errors.ts";
import {
  type AudioConverter,
  type PhoneAudio,
  type Resample,
  toPhoneAudio,
} from "../gateway/convert/phone-audio.ts";
import type { CompressedFormat } from "../media/compressed.ts";
import { WavError } from "../media/wav.ts";
import { createWorkerPool, type JobOutcome } from "../media/worker-pool.ts";
import { resample as resampleInline } from "../speech/resample/resampler.ts";

export type AudioJob =
  | { op: "phone"; bytes: Uint8Array }
  | { op: "resample"; samples: Int16Array; fromRate: number; toRate: number }
  | { op: "encode"; bytes: Uint8Array; format: CompressedFormat };
export type AudioResult = PhoneAudio | Int16Array | Uint8Array;

export interface AudioPool extends AudioConverter {
  /** A stored WAV re-encoded as MP3 or Ogg Vorbis (voicemail attachments), always in a thread. */
  encode(wav: Uint8Array, format: CompressedFormat): Promise<Uint8Array>;
  start(): void;
  close(): Promise<void>;
}

export function createAudioPool(media: Config["media"], logger: Logger): AudioPool {
  const pool = createWorkerPool<AudioJob, AudioResult>({
    name: "audio",
    entry: new URL("./audio-worker.ts", import.meta.url),
    size: media.workers ?? Math.min(2, availableParallelism()),
    budgetMs: media.budgetMs,
    memoryMb: media.workerMemoryMb,
    logger,
  });

  const checkSize = (bytes: number, what: string) => {
    if (bytes > media.maxBytes)
      throw new ConversionError(
        `${what} is ${(bytes / 1048576).toFixed(1)} MiB, over the ${(media.maxBytes / 1048576).toFixed(1)} MiB media.maxBytes limit`,
      );
  };
  const settle = (outcome: JobOutcome<AudioResult, never>): AudioResult => {
    if (outcome.ok) return outcome.value;
    if (outcome.reason === "failed" && outcome.errorName === WavError.code)
      throw new WavError(outcome.message);
    if (outcome.reason === "budget")
      throw new ConversionError(
        `audio conversion took longer than the ${media.budgetMs} ms media.budgetMs budget`,
      );
    throw new ConversionError(`audio conversion failed: ${outcome.message}`);
  };

  const resample: Resample = async (samples, fromRate, toRate) => {
    if (samples.byteLength <= media.inlineBytes) return resampleInline(samples, fromRate, toRate);
    checkSize(samples.byteLength, "the audio to resample");
    return settle(await pool.run({ op: "resample", samples, fromRate, toRate })) as Int16Array;
  };

  return {
    resample,
    async toPhoneAudio(bytes) {
      if (bytes.byteLength <= media.inlineBytes) return toPhoneAudio(bytes, resampleInline);
      checkSize(bytes.byteLength, "the audio");
      return settle(await pool.run({ op: "phone", bytes })) as PhoneAudio;
    },
    async encode(bytes, format) {
      checkSize(bytes.byteLength, "the audio to encode");
      return settle(await pool.run({ op: "encode", bytes, format })) as Uint8Array;
    },
    start: () => pool.start(),
    close: () => pool.close(),
  };
}
