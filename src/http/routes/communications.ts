// GET /api/v1/communications (README "The outside contract"): a user's communications, newest
// first, each with its deliveries and their states. A user sees their own; the admin names the
// user.

import type { FastifyPluginAsync } from "fastify";
import { ForbiddenError, ValidationError } from "../../core/errors.ts";
import type { CommunicationWithDeliveries } from "../../store/types.ts";
import { principalOf } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import {
  type CommunicationJson,
  communicationListSchema,
  communicationsQuerySchema,
  type DeliveryJson,
} from "../schemas/communications.ts";
import { parseInput } from "../validate.ts";

const listCommunications = routeSchemas({
  summary: "A user's communications, newest first, with their deliveries",
  auth: "bearer",
  query: communicationsQuerySchema,
  answers: [{ status: 200, description: "The communications", body: communicationListSchema }],
});

export const communicationsRoutes: FastifyPluginAsync<RouteContext> = async (
  app,
  { deps, auth },
) => {
  app.addHook("onRequest", auth.hook());

  app.get("/communications", { config: listCommunications }, async (request) => {
    const query = parseInput(listCommunications.wire.query, request.query, "query");
    const principal = principalOf(request);
    let userId: string;
    if (principal.role === "admin") {
      if (!query.userId) throw new ValidationError("userId", "required with the admin token");
      userId = query.userId;
    } else {
      if (query.userId !== undefined && query.userId !== principal.userId) {
        throw new ForbiddenError("a user may only list their own communications");
      }
      userId = principal.userId;
    }
    const rows = await deps.store.communications.listForUser(userId, {
      limit: query.limit,
      before: query.before,
    });
    return rows.map(toJson);
  });
};

/** Dates as ISO 8601 strings; the delivery's internals (lease, next attempt) stay inside. */
export function toJson({
  communication,
  deliveries,
}: CommunicationWithDeliveries): CommunicationJson {
  return {
    ...communication,
    receivedAt: communication.receivedAt.toISOString(),
    deliveries: deliveries.map(
      (d): DeliveryJson => ({
        id: d.id,
        target: d.target,
        state: d.state,
        attempts: d.attempts,
        lastError: d.lastError ?? null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
      }),
    ),
  };
}
