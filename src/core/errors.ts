// The one table of omnivox errors (as fastify's lib/errors.js): each class has a stable `code`,
// the HTTP status it maps to, and a message a user can act on. docs/errors.md lists every code;
// errors.test.ts keeps the two in step.

export abstract class OmnivoxError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
}

function defineError(code: string, statusCode: number) {
  return class extends OmnivoxError {
    readonly code = code;
    readonly statusCode = statusCode;
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
/** Too many failed attempts from a source or for an account: wait `retryAfterSeconds`. */
export class NoRouteError extends defineError("OMNIVOX_ERR_NO_ROUTE", 422) {}
/** The target cannot take a delivery now (IM client offline): the outbox holds it. */
export class TargetUnavailableError extends defineError("OMNIVOX_ERR_TARGET_UNAVAILABLE", 503) {}
/** A delivery attempt failed in a way that may pass (network, 4xx SMTP): retried with backoff. */
export class DeliveryError extends defineError("OMNIVOX_ERR_DELIVERY", 502) {
  constructor(
    message: string,
    readonly permanent = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
} as const;
