// The one table of omnivox errors (as fastify's lib/errors.js): each class has a stable `code`,
// the HTTP status it maps to, and a message a user can act on. docs/errors.md lists every code;
// errors.test.ts keeps the two in step.

export abstract class OmnivoxError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  /** Whether the same work may succeed later (a full queue, a timeout): the outbox retries it. */
  abstract readonly transient: boolean;
}

function defineError(code: string, statusCode: number, transient = false) {
  return class extends OmnivoxError {
    /** The code without an instance, e.g. for a name that crossed a thread boundary. */
    static readonly code = code;
    readonly code = code;
    readonly statusCode = statusCode;
    readonly transient = transient;
    constructor(message: string, options?: { cause?: unknown }) {
      super(message, options);
      this.name = code;
    }
  };
}

export class ConfigError extends defineError("OMNIVOX_ERR_CONFIG", 500) {}
export class ValidationError extends defineError("OMNIVOX_ERR_VALIDATION", 400) {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
export class InvalidAddressError extends defineError("OMNIVOX_ERR_INVALID_ADDRESS", 400) {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid address "${input}": ${reason}`);
  }
}
export class UnauthorizedError extends defineError("OMNIVOX_ERR_UNAUTHORIZED", 401) {}
export class ForbiddenError extends defineError("OMNIVOX_ERR_FORBIDDEN", 403) {}
export class NotFoundError extends defineError("OMNIVOX_ERR_NOT_FOUND", 404) {}
export class ConflictError extends defineError("OMNIVOX_ERR_CONFLICT", 409) {}
/** The profile's routes give this communication no target. */
export class NoRouteError extends defineError("OMNIVOX_ERR_NO_ROUTE", 422) {}
/** The target cannot take a delivery now (IM client offline): the outbox holds it. */
export class TargetUnavailableError extends defineError(
  "OMNIVOX_ERR_TARGET_UNAVAILABLE",
  503,
  true,
) {}
/**
 * A delivery attempt failed: one that may pass (network, 4xx SMTP) is retried with backoff, a
 * `permanent` one (5xx SMTP, a number that does not exist) fails at once.
 */
export class DeliveryError extends defineError("OMNIVOX_ERR_DELIVERY", 502) {
  override readonly transient: boolean;
  /** The target's own word on when to try again (HTTP Retry-After); the outbox waits at least that. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly permanent = false,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.transient = !permanent;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
export class ConversionError extends defineError("OMNIVOX_ERR_CONVERSION", 500) {}
/** Too many requests from one user or source: try again after `retryAfterMs` (Retry-After). */
export class RateLimitedError extends defineError("OMNIVOX_ERR_RATE_LIMITED", 429) {
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super(message);
  }
}
/** A malformed request that no more specific code describes (bad JSON, wrong content type). */
export class BadRequestError extends defineError("OMNIVOX_ERR_BAD_REQUEST", 400) {}
/** Anything unexpected: the details go to the log, never to the client. */
export class InternalError extends defineError("OMNIVOX_ERR_INTERNAL", 500) {}

// Speech engines (TTS, STT, resampling, VAD), shared by every engine: a missing engine fails
// naming what to install (README "Speech: transcripts and text spoken into voicemail").

/** The engine cannot run here: the message names the Debian or npm package that provides it. */
export class SpeechEngineMissingError extends defineError(
  "OMNIVOX_ERR_SPEECH_ENGINE_MISSING",
  500,
) {
  constructor(
    readonly engine: string,
    /** e.g. "the Debian package espeak-ng" or "the npm package @echogarden/fvad-wasm". */
    readonly install: string,
    options?: { cause?: unknown },
  ) {
    super(`speech engine "${engine}" is not available: install ${install}`, options);
  }
}
/** The job ran longer than its limit and was aborted. */
export class SpeechTimeoutError extends defineError("OMNIVOX_ERR_SPEECH_TIMEOUT", 504, true) {
  constructor(
    readonly timeoutMs: number,
    readonly engine?: string,
  ) {
    super(`speech ${engine ? `engine "${engine}" ` : ""}timed out after ${timeoutMs} ms`);
  }
}
/** The engine ran and failed (non-zero exit, HTTP error, unreadable output). */
export class SpeechFailedError extends defineError("OMNIVOX_ERR_SPEECH_FAILED", 502, true) {}
/** The engine pool's queue is full: the caller should deliver without conversion or retry later. */
export class SpeechBusyError extends defineError("OMNIVOX_ERR_SPEECH_BUSY", 503, true) {
  constructor(readonly maxQueue: number) {
    super(`speech engine queue is full (${maxQueue} waiting)`);
  }
}
/** A busy or slow engine passes by itself; a missing or failing one does not within one delivery. */
export function isSpeechOverloaded(err: unknown): err is SpeechBusyError | SpeechTimeoutError {
  return err instanceof SpeechBusyError || err instanceof SpeechTimeoutError;
}

/** A WAVE file that cannot be read, with a message saying what is wrong and where. */
export class WavError extends defineError("OMNIVOX_ERR_WAV", 400) {}

/** Every even port of the RTP range (`sip.rtpPorts`) is leased or held by another process. */
export class RtpPortsExhaustedError extends defineError(
  "OMNIVOX_ERR_RTP_PORTS_EXHAUSTED",
  503,
  true,
) {
  constructor(
    readonly range: { min: number; max: number },
    readonly inUse: number,
  ) {
    super(`no free even RTP port in ${range.min}-${range.max} (${inUse} leased by us)`);
  }
}

export const ERROR_CLASSES = {
  ConfigError,
  ValidationError,
  InvalidAddressError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  NoRouteError,
  TargetUnavailableError,
  DeliveryError,
  ConversionError,
  RateLimitedError,
  BadRequestError,
  InternalError,
  SpeechEngineMissingError,
  SpeechTimeoutError,
  SpeechFailedError,
  SpeechBusyError,
  WavError,
  RtpPortsExhaustedError,
} as const;
