// Speech-to-text through any server speaking OpenAI's `POST /v1/audio/transcriptions` (whisper.cpp
// server, faster-whisper, OpenAI): multipart/form-data with a WAV `file`, `model`, `response_format`.

import { pcm16ToWav } from "../../media/wav.ts";
import { EnginePool } from "../engine-pool.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import { bufferingStream } from "./buffering-stream.ts";
import type {
  SttAudio,
  SttEngine,
  SttOptions,
  SttResult,
  SttStream,
  SttStreamOptions,
} from "./types.ts";
import { to16k } from "./upsample.ts";

export interface HttpSttOptions {
  /** Base URL; "/v1/audio/transcriptions" is appended (a trailing "/v1" is tolerated). */
  url: string;
  model: string;
  apiKey?: string;
  /** `json` → {text}; `verbose_json` → {text, segments, language}, which also gives confidence. */
  responseFormat?: "json" | "verbose_json";
  /** Requests at once; the rest queue. */
  concurrency?: number;
  maxQueue?: number;
  /** Limit on one request, upload to answer. */
  timeoutMs?: number;
}

interface VerboseSegment {
  avg_logprob?: unknown;
  start?: unknown;
  end?: unknown;
}

/** whisper.cpp's server reads 16 kHz WAV only; every server takes it, so that is what is sent. */
const SEND_RATE = 16000;

export function transcriptionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${trimmed}/v1/audio/transcriptions`;
}

/** exp(mean avg_logprob) over the segments, weighted by their length: a 0..1 confidence. */
function segmentConfidence(segments: unknown): number | undefined {
  if (!Array.isArray(segments)) return undefined;
  let sum = 0;
  let weight = 0;
  for (const s of segments as VerboseSegment[]) {
    if (typeof s?.avg_logprob !== "number") continue;
    const span =
      typeof s.start === "number" && typeof s.end === "number" && s.end > s.start
        ? s.end - s.start
        : 1;
    sum += s.avg_logprob * span;
    weight += span;
  }
  return weight > 0 ? Math.min(1, Math.exp(sum / weight)) : undefined;
}

export class HttpSttEngine implements SttEngine {
  readonly name = "http";
  readonly #opts: HttpSttOptions;
  readonly #endpoint: string;
  readonly #pool: EnginePool;

  constructor(opts: HttpSttOptions) {
    if (!opts.url) throw new TypeError("http STT engine: url is required");
    if (!opts.model) throw new TypeError("http STT engine: model is required");
    this.#opts = { ...opts };
    this.#endpoint = transcriptionsUrl(opts.url);
    this.#pool = new EnginePool({
      concurrency: opts.concurrency ?? 4,
      maxQueue: opts.maxQueue ?? 64,
      timeoutMs: opts.timeoutMs ?? 120_000,
      name: this.name,
    });
  }

  /** The server answers at all (any HTTP status); a refused connection names the URL. */
  async check(): Promise<void> {
    try {
      const res = await fetch(this.#endpoint, { method: "GET", signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
    } catch (err) {
      throw new SpeechEngineMissingError(
        this.name,
        `a server speaking POST /v1/audio/transcriptions at ${this.#endpoint}`,
        { cause: err },
      );
    }
  }

  transcribe(audio: SttAudio, opts: SttOptions = {}): Promise<SttResult> {
    const wav = pcm16ToWav(to16k(audio), SEND_RATE);
    return this.#pool.run((signal) => this.#post(wav, opts.language, signal), opts);
  }

  /** The API takes whole files only: frames are kept and sent at end(). */
  startStream(opts: SttStreamOptions = {}): SttStream {
    return bufferingStream(this, opts);
  }

  async #post(wav: Buffer, language: string | undefined, signal: AbortSignal): Promise<SttResult> {
    const format = this.#opts.responseFormat ?? "json";
    const form = new FormData();
    form.append("file", new Blob([wav], { type: "audio/wav" }), "audio.wav");
    form.append("model", this.#opts.model);
    form.append("response_format", format);
    if (language) form.append("language", language.split(/[-_]/)[0]!.toLowerCase());
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#opts.apiKey) headers.authorization = `Bearer ${this.#opts.apiKey}`;

    let res: Response;
    try {
      res = await fetch(this.#endpoint, { method: "POST", body: form, headers, signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new SpeechFailedError(`STT request to ${this.#endpoint} failed`, { cause: err });
    }
    const body = await res.text();
    if (!res.ok) {
      const excerpt = body.length > 200 ? `${body.slice(0, 200)}…` : body;
      throw new SpeechFailedError(`STT server answered ${res.status}: ${excerpt}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new SpeechFailedError("STT server answered with invalid JSON", { cause: err });
    }
    const record = json as { text?: unknown; segments?: unknown; language?: unknown } | null;
    if (typeof record?.text !== "string") {
      throw new SpeechFailedError('STT server answer has no "text" string');
    }
    const result: SttResult = { text: record.text };
    const confidence = segmentConfidence(record.segments);
    if (confidence !== undefined) result.confidence = confidence;
    if (typeof record.language === "string") result.language = record.language;
    return result;
  }
}
