// WebSocket /api/v1/stream (README "The outside contract"): authenticates before the upgrade (a
// refused client gets an HTTP 401/403/404, not a socket), then hands the socket to the web client
// hub.

import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { z } from "zod";
import type { WebClientId } from "../../adapters/web/inbound.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { principalOf } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import { itemIdSchema, userIdSchema } from "../schemas/profile.ts";
import { parseInput } from "../validate.ts";

const streamQuerySchema = z.strictObject({
  token: z.string().optional(),
  /** Which of the user's web clients this is (profile imClients[].id); default "web". */
  client: z._default(itemIdSchema, "web"),
  /** With the admin token: whose stream to open. */
  user: z.optional(userIdSchema),
});

const openStream = routeSchemas({
  summary: "The user's event stream: JSON events down, acks and sends up (README)",
  auth: "bearer-or-query",
  query: streamQuerySchema,
  answers: [{ status: 101, description: "Switching Protocols to a WebSocket" }],
});

export const streamRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  const clients = new WeakMap<FastifyRequest, WebClientId>();
  app.addHook("onRequest", auth.hook({ allowQuery: true }));
  app.addHook("preHandler", async (request) => {
    const query = parseInput(openStream.wire.query, request.query, "query");
    const principal = principalOf(request);
    let userId: string;
    if (principal.role === "admin") {
      if (!query.user) throw new ValidationError("user", "required with the admin token");
      if (!(await deps.store.users.get(query.user)))
        throw new NotFoundError(`no user "${query.user}"`);
      userId = query.user;
    } else {
      if (query.user !== undefined && query.user !== principal.userId) {
        throw new ForbiddenError("only the admin token may open another user's stream");
      }
      userId = principal.userId;
    }
    clients.set(request, { userId, clientId: query.client });
  });

  app.get("/stream", { websocket: true, config: openStream }, (socket, request) => {
    const client = clients.get(request);
    if (!client) {
      socket.close(1011, "not authenticated");
      return;
    }
    deps.webClients.attach(socket, client);
    // A revoked session ends its sockets at once (RFC 6455 §7.4.1 1008: policy violation).
    const principal = request.principal;
    if (principal?.role === "user") {
      const unwatch = auth.watchSession(principal.sessionId, () =>
        socket.close(1008, "session revoked"),
      );
      socket.once("close", unwatch);
    }
  });
};
