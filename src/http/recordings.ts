// Stored recordings as the HTTP routes serve them: the WAV as stored, or re-encoded as MP3 or
// Ogg Vorbis (media/compressed.ts). An encoding is kept in a small cache bounded in bytes, so a
// player seeking through a message (one Range request per seek) or a mail read by several
// clients encodes it once; requests for one encoding at the same moment share that one encode.

import { AUDIO_FORMAT_FILES, type AudioFormat } from "../core/profile.ts";
import type { AudioBlob } from "./audio-reply.ts";

export type Encode = (wav: Uint8Array, format: "mp3" | "ogg") => Promise<Uint8Array>;

export interface RecordingsOptions {
  /** The stored blob; undefined when it no longer exists. */
  load(audioId: string): Promise<AudioBlob | undefined>;
  encode: Encode;
  /** Bytes of encodings kept; default 32 MiB (about 9 hours of 8 kHz MP3 at 8 kbit/s). */
  maxBytes?: number;
}

export class Recordings {
  readonly #load: RecordingsOptions["load"];
  readonly #encode: Encode;
  readonly #maxBytes: number;
  /** Insertion order is recency order: a hit is moved to the end, the oldest go first. */
  readonly #kept = new Map<string, Uint8Array>();
  readonly #encoding = new Map<string, Promise<Uint8Array>>();
  #bytes = 0;

  constructor(options: RecordingsOptions) {
    this.#load = options.load;
    this.#encode = options.encode;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  /**
   * The recording in `format` (default as stored). The store is asked every time, so a deleted
   * message is gone at once even while an encoding of it is still cached.
   */
  async get(audioId: string, format?: AudioFormat): Promise<AudioBlob | undefined> {
    const blob = await this.#load(audioId);
    if (!blob || format === undefined || format === "wav") return blob;
    const key = `${audioId}:${format}`;
    const data = this.#hit(key) ?? (await this.#encoded(key, blob.data, format));
    return { data, contentType: AUDIO_FORMAT_FILES[format].contentType };
  }

  #hit(key: string): Uint8Array | undefined {
    const data = this.#kept.get(key);
    if (data) {
      this.#kept.delete(key);
      this.#kept.set(key, data);
    }
    return data;
  }

  #encoded(key: string, wav: Uint8Array, format: "mp3" | "ogg"): Promise<Uint8Array> {
    let pending = this.#encoding.get(key);
    if (!pending) {
      pending = this.#encode(wav, format)
        .then((data) => {
          this.#keep(key, data);
          return data;
        })
        .finally(() => this.#encoding.delete(key));
      this.#encoding.set(key, pending);
    }
    return pending;
  }

  #keep(key: string, data: Uint8Array): void {
    if (data.byteLength > this.#maxBytes) return;
    this.#kept.set(key, data);
    this.#bytes += data.byteLength;
    for (const [oldKey, old] of this.#kept) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#kept.delete(oldKey);
      this.#bytes -= old.byteLength;
    }
  }
}
