// The MWI resource (README "The outside contract"): the combined message-waiting state of a user's
// voicemail systems, and the per-system switch that commands the system (SUBSCRIBE / SMDI BLK).

import type { FastifyPluginAsync } from "fastify";
import { requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import {
  mwiParamsSchema,
  mwiSnapshotSchema,
  mwiSystemParamsSchema,
  putMwiSchema,
} from "../schemas/mwi.ts";
import { parseInput } from "../validate.ts";

const snapshot = { status: 200, description: "The message-waiting state", body: mwiSnapshotSchema };
const getMwi = routeSchemas({
  summary: "The message-waiting state of every voicemail system in the profile",
  auth: "bearer",
  params: mwiParamsSchema,
  answers: [snapshot],
});
const putMwi = routeSchemas({
  summary: "Switch one voicemail system's MWI off or on, and command the system",
  auth: "bearer",
  params: mwiSystemParamsSchema,
  body: putMwiSchema,
  answers: [snapshot],
});

export const mwiRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());
  const { mwi } = deps;

  app.get("/users/:id/mwi", { config: getMwi }, async (request) => {
    const { id } = parseInput(getMwi.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    return mwi.snapshot(id);
  });

  app.put("/users/:id/mwi/:systemId", { config: putMwi }, async (request) => {
    const { id, systemId } = parseInput(putMwi.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    const { enabled } = parseInput(putMwi.wire.body, request.body);
    return mwi.setEnabled(id, systemId, enabled);
  });
};
