// Errors of the speech layer (TTS, STT, resampling, VAD), shared by every engine. Plain classes
// with a stable `code` so the gateway can map them (DESIGN §3: a missing engine fails clearly).

export abstract class SpeechError extends Error {
  abstract readonly code: string;
}

/** The engine cannot run here: the message names the Debian or npm package that provides it. */
export class SpeechEngineMissingError extends SpeechError {
  readonly code = "OMNIVOX_ERR_SPEECH_ENGINE_MISSING";
  constructor(
    readonly engine: string,
    /** e.g. "the Debian package espeak-ng" or "the npm package @echogarden/fvad-wasm". */
    readonly install: string,
    options?: { cause?: unknown },
  ) {
    super(`speech engine "${engine}" is not available: install ${install}`, options);
    this.name = "SpeechEngineMissingError";
  }
}

/** The job ran longer than its limit and was aborted. */
export class SpeechTimeoutError extends SpeechError {
  readonly code = "OMNIVOX_ERR_SPEECH_TIMEOUT";
  constructor(
    readonly timeoutMs: number,
    readonly engine?: string,
  ) {
    super(`speech ${engine ? `engine "${engine}" ` : ""}timed out after ${timeoutMs} ms`);
    this.name = "SpeechTimeoutError";
  }
}

/** The engine ran and failed (non-zero exit, HTTP error, unreadable output). */
export class SpeechFailedError extends SpeechError {
  readonly code = "OMNIVOX_ERR_SPEECH_FAILED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SpeechFailedError";
  }
}

/** The engine pool's queue is full: the caller should deliver without conversion or retry later. */
export class SpeechBusyError extends SpeechError {
  readonly code = "OMNIVOX_ERR_SPEECH_BUSY";
  constructor(readonly maxQueue: number) {
    super(`speech engine queue is full (${maxQueue} waiting)`);
    this.name = "SpeechBusyError";
  }
}
