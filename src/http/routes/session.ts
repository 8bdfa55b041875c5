// POST /api/v1/session (DESIGN §4): a user id and password for a session token (see tokens.ts).

import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../deps.ts";
import { sessionBodySchema } from "../schemas/session.ts";
import { parseInput } from "../validate.ts";

export const sessionRoutes: FastifyPluginAsync<RouteContext> = async (app, { auth }) => {
  app.post("/session", async (request) => {
    const body = parseInput(sessionBodySchema, request.body);
    try {
      const { token, expiresAt } = await auth.login(body.user, body.password);
      request.log.info({ userId: body.user }, "session opened");
      return { token, expiresAt: expiresAt.toISOString() };
    } catch (err) {
      request.log.info({ userId: body.user }, "login refused");
      throw err;
    }
  });
};
