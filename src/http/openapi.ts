// The REST API as an OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0), built at
// start-up from the routes fastify registered under /api/v1 and the zod schemas each declares
// (route-schemas.ts), converted by zod's own toJSONSchema to JSON Schema 2020-12, 3.1's dialect.
//
// Our own small generator, not @fastify/swagger: that one reads fastify's `schema` route option,
// which fastify would also compile and validate with ajv, a second validator beside the zod parse
// in each handler (or a validator compiler to switch it off), and it would still need a zod
// transform package. The document needs only method, URL and the declared schemas: one onRoute
// hook and zod's converter, with nothing between the schema a handler parses with and its text.

import type { FastifyInstance } from "fastify";
import { type $ZodType, type JSONSchema, toJSONSchema } from "zod/v4/core";
import { InternalError } from "../core/errors.ts";
import type { RouteSchemas } from "./route-schemas.ts";
import { errorBodySchema } from "./schemas/error.ts";

export interface RegisteredRoute {
  method: string;
  url: string;
  websocket: boolean;
  wire: RouteSchemas | undefined;
}

type Schema = JSONSchema.BaseSchema;
type Operation = Record<string, unknown>;

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};

/**
 * Records every route registered under `prefix` from now on; call it before the routes are
 * registered. The list fills as fastify registers them and is complete once the app is ready.
 */
export function collectRoutes(app: FastifyInstance, prefix: string): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith(prefix)) return;
    for (const method of [route.method].flat()) {
      routes.push({
        method,
        url: route.url,
        websocket: route.websocket === true,
        wire: route.config?.wire,
      });
    }
  });
  return routes;
}

const ERROR_RESPONSE = { $ref: "#/components/responses/Error" };

export function openApiDocument(routes: readonly RegisteredRoute[]): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    // Fastify answers HEAD for every GET; HTTP defines it from GET (RFC 9110 §9.3.2).
    if (route.method === "HEAD" && routes.some((r) => r.method === "GET" && r.url === route.url))
      continue;
    const where = `${route.method} ${route.url}`;
    if (!route.wire) {
      throw new InternalError(`${where} declares no wire schemas (http/route-schemas.ts)`);
    }
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const item = paths[path] ?? {};
    item[route.method.toLowerCase()] = operation(where, route, route.wire);
    paths[path] = item;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "omnivox",
      // The contract's version: the one in the path, changed only with a migration note.
      version: "1",
      description:
        'The REST API and WebSocket stream (README, "The outside contract"). Generated from the ' +
        "zod schemas the server parses requests with.",
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "The admin token, or a session token from POST /api/v1/session.",
        },
        token: {
          type: "apiKey",
          in: "query",
          name: "token",
          description: "The same token as ?token=, where a browser cannot set the header.",
        },
      },
      schemas: { ErrorBody: jsonSchema(errorBodySchema, "output") },
      responses: {
        Error: {
          description: "Refused or failed: the error code (docs/errors.md), a message, the field.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
        },
      },
    },
  };
}

function operation(where: string, route: RegisteredRoute, wire: RouteSchemas): Operation {
  const pathNames = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? "");
  const parameters = [
    ...parametersOf(where, wire.params, "path"),
    ...parametersOf(where, wire.query, "query"),
  ];
  const declared = parameters.filter((p) => p.in === "path").map((p) => p.name);
  if (declared.sort().join() !== [...pathNames].sort().join()) {
    throw new InternalError(
      `${where}: the params schema names [${declared}], the path [${pathNames}]`,
    );
  }
  const responses: Record<string, unknown> = {};
  for (const answer of wire.answers) {
    const content = answer.body
      ? { "application/json": { schema: jsonSchema(answer.body, "output") } }
      : answer.media
        ? { [answer.media]: {} }
        : undefined;
    responses[String(answer.status)] = {
      description: answer.description,
      ...(content ? { content } : {}),
    };
  }
  responses["4XX"] = ERROR_RESPONSE;
  responses["5XX"] = ERROR_RESPONSE;
  return {
    summary: wire.summary,
    ...(route.websocket ? { description: "A WebSocket (RFC 6455): GET with Upgrade." } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(wire.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(wire.body, "input") } },
          },
        }
      : {}),
    responses,
    ...(wire.auth === "none"
      ? {}
      : { security: wire.auth === "bearer" ? [{ bearer: [] }] : [{ bearer: [] }, { token: [] }] }),
  };
}

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: Schema;
}

/** Each property of an object schema is one parameter. */
function parametersOf(where: string, schema: $ZodType | undefined, at: "path" | "query") {
  if (!schema) return [];
  const json = jsonSchema(schema, "input");
  if (json.type !== "object" || !json.properties) {
    throw new InternalError(`${where}: the ${at} schema is not an object`);
  }
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties).map(
    ([name, property]): Parameter => ({
      name,
      in: at,
      required: at === "path" || required.has(name),
      schema: typeof property === "boolean" ? {} : property,
    }),
  );
}

/** A request is described as it comes in (defaults optional), an answer as it goes out. */
export function jsonSchema(schema: $ZodType, io: "input" | "output"): Schema {
  const { $schema: _dialect, ...json } = toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    ...(io === "input" ? { override: normalisedFirst } : {}),
  });
  return json;
}

/**
 * A string that is normalised (trimmed, lower-cased, phone punctuation dropped) before its checks
 * is checked in its normal form: on the way in its pattern and lengths would refuse what the
 * server takes ("+1 (555) 0100").
 */
function normalisedFirst(ctx: { zodSchema: $ZodType; jsonSchema: Schema }): void {
  const def = ctx.zodSchema._zod.def;
  if (def.type !== "string") return;
  const checks = def.checks ?? [];
  const first = checks.findIndex((c) => c._zod.def.check === "overwrite");
  if (first === -1 || first === checks.length - 1) return;
  delete ctx.jsonSchema.pattern;
  delete ctx.jsonSchema.minLength;
  delete ctx.jsonSchema.maxLength;
}
