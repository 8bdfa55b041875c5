// The speech-to-text engine interface every STT backend implements (docs/architecture.md "Choices"
// "Speech"): one-shot transcription of a recording, and where the engine allows it a stream fed
// while the caller speaks.

/** Mono 16-bit linear PCM at its own sample rate (8000 for telephone audio). */
export interface SttAudio {
  samples: Int16Array;
  sampleRate: number;
}

export interface SttOptions {
  /** BCP 47 / ISO 639-1 language of the speech ("en", "en-US"); engines may reject what they lack. */
  language?: string;
  /** Aborting stops the work (kills the subprocess, cancels the request) and rejects with the reason. */
  signal?: AbortSignal;
}

export interface SttResult {
  /** The transcript; empty when nothing was recognised (or the engine is "none"). */
  text: string;
  /** 0..1, when the engine gives one (pocketsphinx word posteriors, whisper segment log-probs). */
  confidence?: number;
  /** The language the engine detected or used, when it says. */
  language?: string;
}

export interface SttStreamOptions extends SttOptions {
  /** Rate of the frames given to write(); 8000 (telephone) unless said otherwise. */
  sampleRate?: number;
}

/** A transcription fed frame by frame: write() while audio arrives, end() at hang-up. */
export interface SttStream {
  /** Takes a frame of 16-bit PCM at the stream's rate; ignored after end() or abort(). */
  write(frame: Int16Array): void;
  /** No more audio: resolves with the transcript of everything written. */
  end(): Promise<SttResult>;
  /** Drops the work; a pending end() rejects. */
  abort(): void;
}

export interface SttEngine {
  readonly name: string;
  transcribe(audio: SttAudio, opts?: SttOptions): Promise<SttResult>;
  /** Resolves when the engine can run here; throws SpeechEngineMissingError naming what to install. */
  check(): Promise<void>;
  /** Present when the engine can take audio while it arrives (or buffers it for the caller). */
  startStream?(opts?: SttStreamOptions): SttStream;
}
