// Transcripts for voice → text (docs/architecture.md "Systems and conversions") of audio no call
// transcriber heard: a recording submitted through the API or a web client is transcribed once when
// it is first converted, and the route option `transcribe: false` keeps any transcript out of the
// renditions.

import type { VoiceCommunication } from "../../core/communication.ts";
import { type RouteOptions, transcribes } from "../../core/routing.ts";
import { parseWav, wavToPcm16 } from "../../media/wav.ts";
import { downmix } from "./phone-audio.ts";

/** Transcribes a stored recording; rejects when the engine fails. */
export type TranscribeAudio = (audioId: string) => Promise<string>;

/** The parts of an STT engine and the audio store this needs (structural: no speech import). */
export interface SttLike {
  readonly name: string;
  transcribe(
    audio: { samples: Int16Array; sampleRate: number },
    opts?: { language?: string },
  ): Promise<{ text: string }>;
}

export interface AudioBlobs {
  get(audioId: string): Promise<{ data: Uint8Array } | undefined>;
}

/** A TranscribeAudio over the configured engine, or undefined when the engine is "none". */
export function storedAudioTranscriber(
  stt: SttLike,
  blobs: AudioBlobs,
  language?: string,
): TranscribeAudio | undefined {
  if (stt.name === "none") return undefined;
  return async (audioId) => {
    const blob = await blobs.get(audioId);
    if (!blob) throw new Error(`the audio "${audioId}" is not stored`);
    const wav = parseWav(blob.data);
    const samples = downmix(wavToPcm16(wav), wav.channels);
    const result = await stt.transcribe(
      { samples, sampleRate: wav.sampleRate },
      language ? { language } : {},
    );
    return result.text.trim();
  };
}

/**
 * Decides the transcript a voice communication's renditions carry. Calls are transcribed while
 * they are recorded (adapters/telephone/transcript.ts), so only client-submitted audio (from a
 * `web:` address) is transcribed here; each communication once, however many targets want text.
 */
export class TranscriptPolicy {
  readonly #pending = new Map<string, Promise<{ text?: string; note?: string }>>();

  constructor(
    private readonly transcribe: TranscribeAudio | undefined,
    private readonly capacity = 256,
  ) {}

  async apply(c: VoiceCommunication, route: RouteOptions): Promise<VoiceCommunication> {
    if (!transcribes(route)) {
      if (c.body.transcript === undefined) return c;
      const { transcript: _dropped, ...body } = c.body;
      return { ...c, body };
    }
    if (c.body.transcript !== undefined || c.from.scheme !== "web" || !this.transcribe) return c;
    const outcome = await this.#once(c);
    return {
      ...c,
      body: outcome.text ? { ...c.body, transcript: outcome.text } : c.body,
      warnings: outcome.note ? [...c.warnings, outcome.note] : c.warnings,
    };
  }

  #once(c: VoiceCommunication): Promise<{ text?: string; note?: string }> {
    const hit = this.#pending.get(c.id);
    if (hit) return hit;
    const transcribe = this.transcribe!;
    // A failed transcript is a note, never a failed delivery: the audio still goes out.
    const work = transcribe(c.body.audioId).then(
      (text) => (text ? { text } : {}),
      (err: unknown) => ({
        note: `No transcript: ${err instanceof Error ? err.message : String(err)}`,
      }),
    );
    this.#pending.set(c.id, work);
    while (this.#pending.size > this.capacity) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    return work;
  }
}
