// Audio a user submits as a message (POST /api/v1/messages, README "The outside contract"):
// decoded, checked against the longest message a box takes, and stored as the 8 kHz mono WAV every
// voice target takes. The id comes from the user and request id, so a retried submission writes
// the same blob again rather than a second one; the orphan sweep removes it if no message names it.

import { createHash, randomUUID } from "node:crypto";
import { ConversionError, ValidationError } from "../core/errors.ts";
import type { AudioStore } from "../core/repositories.ts";
import { pcm16ToWav } from "../media/wav.ts";
import { resample } from "../speech/resample/resampler.ts";
import {
  type AudioConverter,
  inlineAudio,
  PHONE_RATE,
  type PhoneAudio,
} from "./convert/phone-audio.ts";

export interface SubmittedAudioDeps {
  audio: Pick<AudioStore, "put">;
  /** The audio worker pool; without it, conversion runs inline. */
  converter?: AudioConverter;
  /** voicemail.maxMessageMs: a submitted message is held to the same length as a recorded one. */
  maxMessageMs: number;
}

export interface StoredAudio {
  audioId: string;
  durationMs: number;
}

/** Stores submitted WAV bytes; a ValidationError on `audio` says what is wrong with them. */
export function submittedAudio(
  deps: SubmittedAudioDeps,
): (wav: Uint8Array, from: { userId: string; requestId?: string }) => Promise<StoredAudio> {
  const converter = deps.converter ?? inlineAudio(resample);
  return async (wav, from) => {
    let audio: PhoneAudio;
    try {
      audio = await converter.toPhoneAudio(wav);
    } catch (err) {
      // Over the size limit or the time budget: not the client's WAV at fault.
      if (err instanceof ConversionError) throw err;
      throw new ValidationError("audio", `not a WAV omnivox can read: ${(err as Error).message}`);
    }
    if (audio.durationMs > deps.maxMessageMs) {
      throw new ValidationError(
        "audio",
        `${(audio.durationMs / 1000).toFixed(1)} s is longer than the ${deps.maxMessageMs / 1000} s a message may be`,
      );
    }
    const key = from.requestId ? `${from.userId}\n${from.requestId}` : randomUUID();
    const audioId = `api-${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
    await deps.audio.put(audioId, pcm16ToWav(audio.samples, PHONE_RATE), "audio/wav");
    return { audioId, durationMs: audio.durationMs };
  };
}
