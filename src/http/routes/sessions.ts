// A user's sessions (README "Sessions"): GET /users/:id/sessions lists the live ones, DELETE
// /users/:id/sessions/:sid ends one and DELETE /users/:id/sessions ends all (but the caller's
// own with `?keep=current`). The user themself or the admin; a revoked token gets 401 at once
// on REST and its open WebSockets are closed.

import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { NotFoundError } from "../../core/errors.ts";
import { requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import { userIdSchema } from "../schemas/profile.ts";
import { SESSION_ID } from "../tokens.ts";
import { parseInput } from "../validate.ts";

const userParams = z.strictObject({ id: userIdSchema });
const sessionParams = z.strictObject({
  id: userIdSchema,
  sid: z.string().regex(SESSION_ID, "expected a session id (22 base64url characters)"),
});
const deleteAllQuery = z.strictObject({ keep: z.literal("current").optional() });
const sessionJson = z.strictObject({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  source: z.string().optional(),
  userAgent: z.string().optional(),
  /** The session of the token asking. */
  current: z.boolean(),
});

const listSessions = routeSchemas({
  summary: "The user's live sessions",
  auth: "bearer",
  params: userParams,
  answers: [{ status: 200, description: "The sessions", body: z.array(sessionJson) }],
});
const revokeSession = routeSchemas({
  summary: "End one session",
  auth: "bearer",
  params: sessionParams,
  answers: [{ status: 204, description: "Ended" }],
});
const revokeSessions = routeSchemas({
  summary: "End every session (but the caller's own with keep=current)",
  auth: "bearer",
  params: userParams,
  query: deleteAllQuery,
  answers: [
    {
      status: 200,
      description: "How many were ended",
      body: z.strictObject({ revoked: z.number().int().min(0) }),
    },
  ],
});

export const sessionsRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());

  app.get("/users/:id/sessions", { config: listSessions }, async (request) => {
    const { id } = parseInput(listSessions.wire.params, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    if (!(await deps.store.users.get(id))) throw new NotFoundError(`no user "${id}"`);
    const sessions = await deps.store.sessions.listForUser(id, new Date());
    return sessions.map(
      (s): z.output<typeof sessionJson> => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        ...(s.source !== undefined ? { source: s.source } : {}),
        ...(s.userAgent !== undefined ? { userAgent: s.userAgent } : {}),
        current: principal.role === "user" && principal.sessionId === s.id,
      }),
    );
  });

  app.delete("/users/:id/sessions/:sid", { config: revokeSession }, async (request, reply) => {
    const { id, sid } = parseInput(revokeSession.wire.params, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    if (!(await auth.revoke(id, sid)))
      throw new NotFoundError(`user "${id}" has no session "${sid}"`);
    request.log.info({ userId: id, sessionId: sid, by: principal.role }, "session revoked");
    return reply.code(204).send();
  });

  app.delete("/users/:id/sessions", { config: revokeSessions }, async (request) => {
    const { id } = parseInput(revokeSessions.wire.params, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    const { keep } = parseInput(revokeSessions.wire.query, request.query, "query");
    const except =
      keep === "current" && principal.role === "user" ? principal.sessionId : undefined;
    const revoked = await auth.revokeAll(id, except);
    request.log.info({ userId: id, revoked, by: principal.role }, "sessions revoked");
    return { revoked };
  });
};
