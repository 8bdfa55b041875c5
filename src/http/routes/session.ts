// POST /api/v1/session (README "The outside contract"): a user id and password for a session token
// (see tokens.ts), throttled per source address and per account (auth.ts, docs/security.md "Login
// throttling").

import type { FastifyPluginAsync } from "fastify";
import { RateLimitedError } from "../../core/errors.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import { type SessionAnswer, sessionAnswerSchema, sessionBodySchema } from "../schemas/session.ts";
import { parseInput } from "../validate.ts";

const openSession = routeSchemas({
  summary: "Log in: a user id and password for a session token",
  auth: "none",
  body: sessionBodySchema,
  answers: [{ status: 200, description: "The session token", body: sessionAnswerSchema }],
});

export const sessionRoutes: FastifyPluginAsync<RouteContext> = async (app, { auth }) => {
  app.post("/session", { config: openSession }, async (request) => {
    const body = parseInput(openSession.wire.body, request.body);
    const userAgent = request.headers["user-agent"];
    try {
      const { token, sessionId, expiresAt } = await auth.login(body.user, body.password, {
        address: request.ip,
        ...(userAgent !== undefined ? { userAgent } : {}),
      });
      request.log.info({ userId: body.user, sessionId, source: request.ip }, "session opened");
      return { token, sessionId, expiresAt: expiresAt.toISOString() } satisfies SessionAnswer;
    } catch (err) {
      // The source is logged on every refusal, in one fixed form, for fail2ban (docs/security.md).
      const throttled = err instanceof RateLimitedError;
      request.log.warn(
        { userId: body.user, source: request.ip, throttled },
        throttled ? "login throttled" : "login refused",
      );
      throw err;
    }
  });
};
