// A user's sessions (README "Sessions"): GET /users/:id/sessions lists the live ones, DELETE
// /users/:id/sessions/:sid ends one and DELETE /users/:id/sessions ends all (but the caller's
// own with `?keep=current`). The user themself or the admin; a revoked token gets 401 at once
// on REST and its open WebSockets are closed.

import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { NotFoundError } from "../../core/errors.ts";
import { requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { userIdSchema } from "../schemas/profile.ts";
import { SESSION_ID } from "../tokens.ts";
import { parseInput } from "../validate.ts";

const userParams = z.strictObject({ id: userIdSchema });
const sessionParams = z.strictObject({
  id: userIdSchema,
  sid: z.string().regex(SESSION_ID, "expected a session id (22 base64url characters)"),
});
const deleteAllQuery = z.strictObject({ keep: z.literal("current").optional() });

export const sessionsRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());

  app.get("/users/:id/sessions", async (request) => {
    const { id } = parseInput(userParams, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    if (!(await deps.store.users.get(id))) throw new NotFoundError(`no user "${id}"`);
    const sessions = await deps.store.sessions.listForUser(id, new Date());
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      ...(s.source !== undefined ? { source: s.source } : {}),
      ...(s.userAgent !== undefined ? { userAgent: s.userAgent } : {}),
      current: principal.role === "user" && principal.sessionId === s.id,
    }));
  });

  app.delete("/users/:id/sessions/:sid", async (request, reply) => {
    const { id, sid } = parseInput(sessionParams, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    if (!(await auth.revoke(id, sid)))
      throw new NotFoundError(`user "${id}" has no session "${sid}"`);
    request.log.info({ userId: id, sessionId: sid, by: principal.role }, "session revoked");
    return reply.code(204).send();
  });

  app.delete("/users/:id/sessions", async (request) => {
    const { id } = parseInput(userParams, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    const { keep } = parseInput(deleteAllQuery, request.query, "query");
    const except =
      keep === "current" && principal.role === "user" ? principal.sessionId : undefined;
    const revoked = await auth.revokeAll(id, except);
    request.log.info({ userId: id, revoked, by: principal.role }, "sessions revoked");
    return { revoked };
  });
};
