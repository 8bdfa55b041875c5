// What a route under /api/v1 declares of its wire, once: the zod schemas its handler parses
// params, query and body with, who may call it and what it answers. openapi.ts builds the
// OpenAPI 3.1 document from these declarations, found on fastify's route config.

import type { $ZodType } from "zod/v4/core";

/**
 * `bearer`: `Authorization: Bearer` with the admin or a session token (RFC 6750 §2.1);
 * `bearer-or-query`: also `?token=` (RFC 6750 §2.3), where a browser cannot set a header.
 */
export type RouteAuth = "none" | "bearer" | "bearer-or-query";

export interface RouteAnswer {
  status: number;
  description: string;
  /** A JSON answer's schema. */
  body?: $ZodType;
  /** A body that is not JSON (audio/wav): its media type, described but not schematised. */
  media?: string;
}

export interface RouteSchemas {
  summary: string;
  auth: RouteAuth;
  params?: $ZodType;
  query?: $ZodType;
  body?: $ZodType;
  /** The success answers; refusals are the error body (schemas/error.ts) for every route. */
  answers: readonly RouteAnswer[];
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Read by openapi.ts; every route under /api/v1 must have it. */
    wire?: RouteSchemas;
  }
}

/** Keeps a declaration's literal schema types, so a handler's parseInput gets their outputs. */
export function routeSchemas<const S extends RouteSchemas>(schemas: S): { wire: S } {
  return { wire: schemas };
}
