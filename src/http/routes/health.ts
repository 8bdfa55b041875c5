// GET /healthz: no auth, for load balancers and supervisors. 200 when every check passes, else 503.

import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../deps.ts";

export const healthRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps }) => {
  app.get("/healthz", async (request, reply) => {
    let checks: Record<string, boolean>;
    try {
      checks = await deps.health();
    } catch (err) {
      request.log.warn({ err }, "health check failed");
      checks = { health: false };
    }
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, checks });
  });
};
