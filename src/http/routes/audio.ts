// GET /api/v1/audio/:audioId?exp=&sig=[&format=] (README "Voicemail by mail and chat"): serves a
// stored recording to whoever holds a signed, unexpired link — a mail or chat client that has no
// bearer token — as stored, or re-encoded as MP3 or Ogg Vorbis when the link asks. Nothing else.

import type { FastifyPluginAsync } from "fastify";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { sendAudio } from "../audio-reply.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import { audioParamsSchema, audioQuerySchema } from "../schemas/voicemail.ts";
import { parseInput } from "../validate.ts";

const getAudio = routeSchemas({
  summary: "A recording, for whoever holds a signed, unexpired link (no token)",
  auth: "none",
  params: audioParamsSchema,
  query: audioQuerySchema,
  answers: [
    { status: 200, description: "The recording", media: "audio/wav" },
    { status: 206, description: "The byte range asked for", media: "audio/wav" },
    { status: 200, description: "Re-encoded, with format=mp3", media: "audio/mpeg" },
    { status: 200, description: "Re-encoded, with format=ogg", media: "audio/ogg" },
  ],
});

export const audioRoutes: FastifyPluginAsync<RouteContext> = async (
  app,
  { audioUrls, recordings },
) => {
  app.get("/audio/:audioId", { config: getAudio }, async (request, reply) => {
    const { audioId } = parseInput(getAudio.wire.params, request.params, "params");
    const { exp, sig, format } = parseInput(getAudio.wire.query, request.query, "query");
    const check = audioUrls.verify(audioId, exp, sig);
    if (check === "expired") throw new ForbiddenError("this audio link has expired");
    if (check !== "ok") throw new ForbiddenError("invalid audio link signature");
    const blob = await recordings.get(audioId, format);
    if (!blob) throw new NotFoundError("the recording no longer exists");
    return sendAudio(request, reply, blob);
  });
};
