// The one error table at the HTTP boundary (the fastify lesson): OmnivoxError → its statusCode and
// code, zod → 400 naming the field, fastify's own 4xx kept, anything else 500 without internals.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  BadRequestError,
  InternalError,
  NotFoundError,
  OmnivoxError,
  RateLimitedError,
  ValidationError,
} from "../core/errors.ts";
import type { ErrorBody } from "./schemas/error.ts";
import { toValidationError, ZodError } from "./validate.ts";

export type { ErrorBody };

export function errorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ZodError) return errorBody(toValidationError(error));
  if (error instanceof ValidationError) {
    return { status: 400, body: { error: error.code, message: error.message, field: error.field } };
  }
  if (error instanceof OmnivoxError) {
    return { status: error.statusCode, body: { error: error.code, message: error.message } };
  }
  if (isClientError(error)) {
    return {
      status: error.statusCode,
      body: { error: error.code ?? BadRequestError.code, message: error.message },
    };
  }
  return { status: 500, body: { error: InternalError.code, message: "internal server error" } };
}

/** Fastify's own errors (bad JSON, 413, 415) carry a 4xx statusCode and are safe to show. */
function isClientError(error: unknown): error is FastifyError & { statusCode: number } {
  if (!(error instanceof Error) || !("statusCode" in error)) return false;
  const status = (error as FastifyError).statusCode;
  return typeof status === "number" && status >= 400 && status < 500;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorBody(error);
    // RFC 9110 §10.2.3: whole seconds; at least one, so a client never retries at once.
    if (error instanceof RateLimitedError)
      reply.header("retry-after", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ error: body.error, status }, body.message);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: NotFoundError.code,
      message: `no route ${request.method} ${request.url.split("?")[0]}`,
    } satisfies ErrorBody),
  );
}
