// The MWI resource (README "The outside contract"): the combined message-waiting state of a user's
// voicemail systems, and the per-system switch that commands the system (SUBSCRIBE / SMDI BLK).

import type { FastifyPluginAsync } from "fastify";
import { requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { mwiParamsSchema, mwiSystemParamsSchema, putMwiSchema } from "../schemas/mwi.ts";
import { parseInput } from "../validate.ts";

export const mwiRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());
  const { mwi } = deps;

  app.get("/users/:id/mwi", async (request) => {
    const { id } = parseInput(mwiParamsSchema, request.params, "params");
    requireSelfOrAdmin(request, id);
    return mwi.snapshot(id);
  });

  app.put("/users/:id/mwi/:systemId", async (request) => {
    const { id, systemId } = parseInput(mwiSystemParamsSchema, request.params, "params");
    requireSelfOrAdmin(request, id);
    const { enabled } = parseInput(putMwiSchema, request.body);
    return mwi.setEnabled(id, systemId, enabled);
  });
};
