// GET /api/v1/openapi.json: the REST API's OpenAPI 3.1 document (openapi.ts), built once when the
// server is ready. No auth: it describes the API and holds no data.

import type { FastifyPluginAsync } from "fastify";
import { InternalError } from "../../core/errors.ts";
import { type OpenApiDocument, openApiDocument, type RegisteredRoute } from "../openapi.ts";
import { routeSchemas } from "../route-schemas.ts";

const getDocument = routeSchemas({
  summary: "This document",
  auth: "none",
  answers: [{ status: 200, description: "The OpenAPI 3.1 document", media: "application/json" }],
});

export const openapiRoutes: FastifyPluginAsync<{ routes: readonly RegisteredRoute[] }> = async (
  app,
  { routes },
) => {
  let document: OpenApiDocument | undefined;
  // Every route is registered by then; a route without its schemas fails the start.
  app.addHook("onReady", async () => {
    document = openApiDocument(routes);
  });

  app.get("/openapi.json", { config: getDocument }, async () => {
    if (!document)
      throw new InternalError("the OpenAPI document is built when the server is ready");
    return document;
  });
};
