// GET /api/v1/audio/:audioId?exp=&sig= (README "Voicemail by mail and chat"): serves a stored recording to whoever holds
// a signed, unexpired link — a mail or chat client that has no bearer token. Nothing else.

import type { FastifyPluginAsync } from "fastify";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { sendAudio } from "../audio-reply.ts";
import type { RouteContext } from "../deps.ts";
import { audioParamsSchema, audioQuerySchema } from "../schemas/voicemail.ts";
import { parseInput } from "../validate.ts";

export const audioRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, audioUrls }) => {
  app.get("/audio/:audioId", async (request, reply) => {
    const { audioId } = parseInput(audioParamsSchema, request.params, "params");
    const { exp, sig } = parseInput(audioQuerySchema, request.query, "query");
    const check = audioUrls.verify(audioId, exp, sig);
    if (check === "expired") throw new ForbiddenError("this audio link has expired");
    if (check !== "ok") throw new ForbiddenError("invalid audio link signature");
    const blob = await deps.store.audio.get(audioId);
    if (!blob) throw new NotFoundError("the recording no longer exists");
    return sendAudio(request, reply, blob);
  });
};
