// GET /api/v1/calls/:callId/screen (README "Internet call waiting", live screening): a recording under way as audio/wav
// (RIFF WAVE, open-ended sizes, 8 kHz 16-bit PCM as recorded) for its user (Bearer or ?token=).

import { PassThrough } from "node:stream";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { NotFoundError } from "../../core/errors.ts";
import { wavHeader } from "../../media/wav.ts";
import { principalOf } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import { parseInput } from "../validate.ts";

const screenCall = routeSchemas({
  summary: "The live recording of a call under Internet call waiting",
  auth: "bearer-or-query",
  params: z.strictObject({ callId: z.string().min(1).max(200) }),
  answers: [
    {
      status: 200,
      description: "A WAV header with open-ended sizes, then 8 kHz 16-bit PCM as recorded",
      media: "audio/wav",
    },
  ],
});

/**
 * A listener that falls this far behind loses frames rather than growing the server's memory:
 * about 30 s of audio, far more than a working connection ever holds.
 */
const MAX_BUFFERED_BYTES = 512 * 1024;

export const callsRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook({ allowQuery: true }));

  app.get("/calls/:callId/screen", { config: screenCall }, async (request, reply) => {
    const { callId } = parseInput(screenCall.wire.params, request.params, "params");
    const principal = principalOf(request);
    const call = deps.calls?.get(callId, principal.role === "user" ? principal.userId : undefined);
    // Another user's call is not found either: its existence is not theirs to learn.
    if (!call || call.screen.closed)
      throw new NotFoundError(`no call "${callId}" is being recorded`);

    const body = new PassThrough();
    body.write(wavHeader({ encoding: "pcm16", sampleRate: 8000 }, null));
    let dropped = 0;
    const remove = call.screen.add({
      data: (bytes) => {
        if (body.writableLength > MAX_BUFFERED_BYTES) dropped += bytes.length;
        else body.write(bytes);
      },
      end: () => body.end(),
    });
    if (!remove) throw new NotFoundError(`no call "${callId}" is being recorded`);
    // The page closed or navigated away: stop copying frames for it.
    reply.raw.once("close", () => {
      remove();
      if (dropped > 0) request.log.info({ callId, dropped }, "icw: slow screening listener");
    });
    return reply.header("content-type", "audio/wav").header("cache-control", "no-store").send(body);
  });
};
