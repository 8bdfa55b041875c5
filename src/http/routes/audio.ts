// GET /api/v1/audio/:audioId?exp=&sig=[&format=] (README "Voicemail by mail and chat"): serves a
// stored recording to whoever holds a signed, unexpired link — a mail or chat client that has no
// bearer token — as stored, or re-encoded as MP3 or Ogg Vorbis when the link asks. Nothing else.

import type { FastifyPluginAsync } from "fastify";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { AUDIO_FORMAT_FILES } from "../../core/profile.ts";
import { encodeCompressed } from "../../media/compressed.ts";
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

export const audioRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, audioUrls }) => {
  app.get("/audio/:audioId", { config: getAudio }, async (request, reply) => {
    const { audioId } = parseInput(getAudio.wire.params, request.params, "params");
    const { exp, sig, format } = parseInput(getAudio.wire.query, request.query, "query");
    const check = audioUrls.verify(audioId, exp, sig);
    if (check === "expired") throw new ForbiddenError("this audio link has expired");
    if (check !== "ok") throw new ForbiddenError("invalid audio link signature");
    const blob = await deps.store.audio.get(audioId);
    if (!blob) throw new NotFoundError("the recording no longer exists");
    if (format === undefined || format === "wav") return sendAudio(request, reply, blob);
    const encode = deps.audio?.encode ?? encodeCompressed;
    const data = await encode(blob.data, format);
    return sendAudio(request, reply, { data, contentType: AUDIO_FORMAT_FILES[format].contentType });
  });
};
