// GET /metrics: the Prometheus text exposition format (prom-client registry), no auth; bind the
// HTTP listener to a private address when the metrics should not be public.

import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../deps.ts";

export const metricsRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps }) => {
  app.get("/metrics", async (_request, reply) => {
    const text = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(text);
  });
};
