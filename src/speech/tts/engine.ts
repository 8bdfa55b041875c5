// The one text-to-speech interface every engine implements (docs/architecture.md "Choices"
// "Speech"), the WAV decoding the subprocess and HTTP engines share, and synthesize8k() for the 8
// kHz telephone path.

import { TELEPHONE_RATE } from "../../media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../media/wav.ts";
import { SpeechFailedError } from "../errors.ts";
import { resample } from "../resample/resampler.ts";

export interface TtsOptions {
  /** Engine-specific voice name (espeak-ng "en-us", flite "slt", an HTTP server's "alloy"). */
  voice?: string;
  /** BCP 47-ish language tag; engines that pick voices by language use it when voice is absent. */
  language?: string;
  signal?: AbortSignal;
}

export interface TtsAudio {
  /** Mono 16-bit linear PCM. */
  samples: Int16Array;
  sampleRate: number;
}

export interface TtsEngine {
  readonly name: string;
  synthesize(text: string, opts?: TtsOptions): Promise<TtsAudio>;
  /** Resolves when the engine can run here; throws SpeechEngineMissingError naming what to install. */
  check(): Promise<void>;
  /** Stops workers and queued jobs; the engine cannot be used afterwards. */
  close(): Promise<void>;
}

/**
 * Synthesizes and converts to the 8 kHz rate G.711 telephony carries; `convert` is where the
 * resampling runs (the app passes its audio worker pool), inline by default.
 */
export async function synthesize8k(
  engine: TtsEngine,
  text: string,
  opts: TtsOptions = {},
  convert: typeof resample = resample,
): Promise<TtsAudio> {
  const audio = await engine.synthesize(text, opts);
  if (audio.sampleRate === TELEPHONE_RATE) return audio;
  return {
    samples: await convert(audio.samples, audio.sampleRate, TELEPHONE_RATE),
    sampleRate: TELEPHONE_RATE,
  };
}

/**
 * Decodes an engine's WAV output to mono PCM. Lenient about sizes because espeak-ng writing to a
 * pipe cannot seek back and leaves its placeholder RIFF and data sizes in the header.
 */
export function wavToTtsAudio(bytes: Uint8Array, engine: string): TtsAudio {
  let wav: ReturnType<typeof parseWav>;
  try {
    wav = parseWav(bytes, { allowTruncated: true });
  } catch (err) {
    throw new SpeechFailedError(`${engine}: output is not a readable WAV file`, { cause: err });
  }
  const pcm = wavToPcm16(wav);
  if (wav.channels === 1) return { samples: pcm, sampleRate: wav.sampleRate };
  // Some servers answer in stereo: average the channels rather than keep only the first.
  const mono = new Int16Array(wav.frames);
  for (let f = 0; f < wav.frames; f++) {
    let sum = 0;
    for (let c = 0; c < wav.channels; c++) sum += pcm[f * wav.channels + c]!;
    mono[f] = Math.round(sum / wav.channels);
  }
  return { samples: mono, sampleRate: wav.sampleRate };
}

/** Rejects empty text early: every engine would otherwise answer with silence or an error of its own. */
export function checkText(text: string, engine: string): void {
  if (text.trim() === "") throw new SpeechFailedError(`${engine}: nothing to say (empty text)`);
}

/** Queueing and time limits every engine runs its jobs under (see EnginePool). */
export interface TtsPoolOptions {
  concurrency?: number;
  maxQueue?: number;
  timeoutMs?: number;
}

export function poolOptions(name: string, o: TtsPoolOptions, concurrency: number) {
  return {
    name,
    concurrency: o.concurrency ?? concurrency,
    maxQueue: o.maxQueue ?? 64,
    timeoutMs: o.timeoutMs ?? 30_000,
  };
}

/** Voice names go into argv and URLs: letters, digits and a few separators only. */
export function checkVoice(voice: string, engine: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+/-]{0,63}$/.test(voice)) {
    throw new SpeechFailedError(`${engine}: invalid voice name ${JSON.stringify(voice)}`);
  }
  return voice;
}
