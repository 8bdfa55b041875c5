// GET /healthz: no auth, for load balancers and supervisors. 200 {status: "ok"} when every check
// passes, else 503 {status: "degraded", reasons} (docs/security.md "Disk full" for the storage one).

import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../deps.ts";

export const healthRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps }) => {
  app.get("/healthz", async (request, reply) => {
    let checks: Record<string, boolean>;
    const reasons: string[] = [];
    try {
      checks = await deps.health();
    } catch (err) {
      request.log.warn({ err }, "health check failed");
      checks = { health: false };
    }
    for (const [name, passed] of Object.entries(checks))
      if (!passed) reasons.push(`${name}: check failed`);
    // The storage state is the probe's last word (updated every few seconds), never a disk
    // access per request: a load balancer polling often costs nothing.
    const storage = deps.storage?.();
    if (storage) {
      checks.storage = !storage.degraded;
      reasons.push(...storage.reasons);
    }
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({
      ok,
      status: ok ? "ok" : "degraded",
      ...(deps.nodeId !== undefined ? { node: deps.nodeId } : {}),
      ...(deps.ownedLinks ? { links: deps.ownedLinks() } : {}),
      checks,
      ...(ok ? {} : { reasons }),
    });
  });
};
