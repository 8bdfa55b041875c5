// Text-to-speech by any server speaking OpenAI's `POST /v1/audio/speech` (JSON {model, input,
// voice, response_format: "wav"} → audio bytes), e.g. a Piper or Kokoro server, over fetch.

import { EnginePool } from "../engine-pool.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import {
  checkText,
  poolOptions,
  type TtsAudio,
  type TtsEngine,
  type TtsOptions,
  type TtsPoolOptions,
  wavToTtsAudio,
} from "./engine.ts";

export interface HttpTtsOptions extends TtsPoolOptions {
  /** Base URL without /v1, e.g. "http://127.0.0.1:8880". */
  url: string;
  model: string;
  /** Default voice; the API requires one, so "alloy" (OpenAI's first) when none is given. */
  voice?: string;
  apiKey?: string;
  /** Largest response accepted, in bytes. */
  maxResponseBytes?: number;
}

export class HttpTtsEngine implements TtsEngine {
  readonly name = "http";
  readonly #opts: HttpTtsOptions;
  readonly #endpoint: URL;
  readonly #models: URL;
  readonly #pool: EnginePool;

  constructor(opts: HttpTtsOptions) {
    this.#opts = { ...opts };
    // Keep any path prefix the base URL has (a proxy mounting the API under /tts/).
    const base = opts.url.endsWith("/") ? opts.url : `${opts.url}/`;
    this.#endpoint = new URL("v1/audio/speech", base);
    this.#models = new URL("v1/models", base);
    this.#pool = new EnginePool(poolOptions(this.name, opts, 4));
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsAudio> {
    checkText(text, this.name);
    const body = JSON.stringify({
      model: this.#opts.model,
      input: text,
      voice: opts.voice ?? this.#opts.voice ?? "alloy",
      response_format: "wav",
    });
    const bytes = await this.#pool.run((signal) => this.#post(body, signal), {
      signal: opts.signal,
    });
    return wavToTtsAudio(bytes, this.name);
  }

  /** Reachability only: any HTTP answer from the server counts, since /v1/models is optional. */
  async check(): Promise<void> {
    try {
      const res = await fetch(this.#models, {
        headers: this.#headers(),
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
    } catch (err) {
      throw new SpeechEngineMissingError(
        this.name,
        `or start a server speaking /v1/audio/speech at ${this.#opts.url}`,
        { cause: err },
      );
    }
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", accept: "audio/wav" };
    if (this.#opts.apiKey) h.authorization = `Bearer ${this.#opts.apiKey}`;
    return h;
  }

  async #post(body: string, signal: AbortSignal): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await fetch(this.#endpoint, { method: "POST", headers: this.#headers(), body, signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new SpeechFailedError(`http tts: ${this.#endpoint.origin} unreachable`, { cause: err });
    }
    if (!res.ok) {
      const detail = (await res.text().catch(() => "")).slice(0, 300);
      throw new SpeechFailedError(`http tts: ${res.status} ${res.statusText} ${detail}`.trim());
    }
    const max = this.#opts.maxResponseBytes ?? 64 * 1024 * 1024;
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > max) {
      await res.body?.cancel();
      throw new SpeechFailedError(`http tts: response of ${declared} bytes exceeds ${max}`);
    }
    // Chunked answers declare no length: count while reading instead of trusting the server.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of res.body ?? []) {
      total += chunk.length;
      // Throwing out of the loop cancels the stream, which closes the connection.
      if (total > max) throw new SpeechFailedError(`http tts: response exceeds ${max} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }
}
