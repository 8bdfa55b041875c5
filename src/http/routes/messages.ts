// POST /api/v1/messages (DESIGN §4): a user (or the admin for a user) submits a text for a
// mailto:/tel:/xmpp: target; a tel: target gets it spoken. 201 once it is durable.

import type { FastifyPluginAsync } from "fastify";
import { parseSendTarget, sendDraft } from "../../adapters/web/inbound.ts";
import { ForbiddenError, ValidationError } from "../../core/errors.ts";
import { principalOf } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { messageBodySchema } from "../schemas/messages.ts";
import { parseInput } from "../validate.ts";

/** The client id a communication submitted over REST carries in its `from` address. */
export const API_CLIENT_ID = "api";

export const messagesRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());

  app.post("/messages", async (request, reply) => {
    const body = parseInput(messageBodySchema, request.body);
    const principal = principalOf(request);
    let userId: string;
    if (principal.role === "admin") {
      if (!body.userId) throw new ValidationError("userId", "required with the admin token");
      userId = body.userId;
    } else {
      if (body.userId !== undefined && body.userId !== principal.userId) {
        throw new ForbiddenError("a user may only send as themselves");
      }
      userId = principal.userId;
    }
    const to = parseSendTarget(body.to);
    const communication = await deps.gateway.receive(
      sendDraft(body, { userId, clientId: API_CLIENT_ID }, to),
    );
    return reply.code(201).send({
      communicationId: communication.id,
      threadId: communication.thread.threadId,
    });
  });
};
