// The voicemail resource (README "The outside contract"): a user's messages in our own voicemail
// store, newest first, their audio, marking them read ("saved") and deleting them. Every change
// tells the MWI layer through deps.onMailboxChanged. Another user's message is simply not found.

import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { NotFoundError } from "../../core/errors.ts";
import type { VoicemailRecord } from "../../store/types.ts";
import { deleteVoicemailMessage } from "../../store/voicemail-delete.ts";
import { sendAudio } from "../audio-reply.ts";
import { requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import {
  mailboxParamsSchema,
  messageParamsSchema,
  patchMessageSchema,
  recordingQuerySchema,
  type VoicemailJson,
  voicemailJsonSchema,
  voicemailListSchema,
} from "../schemas/voicemail.ts";
import { parseInput } from "../validate.ts";

const messageAnswer = { status: 200, description: "The message", body: voicemailJsonSchema };
const listMessages = routeSchemas({
  summary: "The messages in omnivox's own voicemail store, newest first",
  auth: "bearer",
  params: mailboxParamsSchema,
  answers: [{ status: 200, description: "The messages", body: voicemailListSchema }],
});
/** Every route on one message parses its params with messageOf. */
const onMessage = { auth: "bearer", params: messageParamsSchema } as const;
const getMessage = routeSchemas({ ...onMessage, summary: "One message", answers: [messageAnswer] });
const getAudio = routeSchemas({
  ...onMessage,
  summary: "The message's recording, as stored or re-encoded (format=mp3|ogg)",
  query: recordingQuerySchema,
  answers: [
    { status: 200, description: "The recording", media: "audio/wav" },
    { status: 206, description: "The byte range asked for", media: "audio/wav" },
    { status: 200, description: "Re-encoded, with format=mp3", media: "audio/mpeg" },
    { status: 200, description: "Re-encoded, with format=ogg", media: "audio/ogg" },
  ],
});
const patchMessage = routeSchemas({
  ...onMessage,
  summary: 'Mark a message read ("saved") or new again',
  body: patchMessageSchema,
  answers: [messageAnswer],
});
const deleteMessage = routeSchemas({
  ...onMessage,
  summary: "Delete a message and its audio",
  answers: [{ status: 204, description: "Deleted" }],
});

export const voicemailRoutes: FastifyPluginAsync<RouteContext> = async (
  app,
  { deps, auth, audioUrls, recordings },
) => {
  const { users, voicemail } = deps.store;
  app.addHook("onRequest", auth.hook());

  // A link that works in an <audio> element, where no bearer header can be set.
  const audioUrlOf = (audioId: string): string =>
    deps.audioLinks?.urlFor(audioId) ??
    audioUrls.signAudioUrl(audioId, deps.config.http.audioUrlTtlMs);

  const toJson = (v: VoicemailRecord): VoicemailJson => {
    const json: VoicemailJson = {
      id: v.id,
      from: { ani: v.ani ?? null },
      dnis: v.dnis ?? null,
      receivedAt: v.receivedAt.toISOString(),
      durationMs: v.durationMs,
      state: v.state,
      urgent: v.urgent,
      audioUrl: audioUrlOf(v.audioId),
    };
    if (v.transcript !== undefined) json.transcript = v.transcript;
    return json;
  };

  const messageOf = async (request: FastifyRequest) => {
    const { id, mid } = parseInput(onMessage.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    const message = await voicemail.get(id, mid);
    if (!message) throw new NotFoundError(`no voicemail message "${mid}"`);
    return message;
  };

  const changed = (request: FastifyRequest, userId: string): void => {
    const hook = deps.onMailboxChanged;
    if (!hook) return;
    const failed = (err: unknown) =>
      request.log.error({ err, userId }, "mailbox change hook failed");
    try {
      Promise.resolve(hook(userId)).catch(failed);
    } catch (err) {
      failed(err);
    }
  };

  app.get("/users/:id/voicemail", { config: listMessages }, async (request) => {
    const { id } = parseInput(listMessages.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    if (!(await users.get(id))) throw new NotFoundError(`no user "${id}"`);
    return (await voicemail.list(id)).map(toJson);
  });

  app.get("/users/:id/voicemail/:mid", { config: getMessage }, async (request) =>
    toJson(await messageOf(request)),
  );

  app.get("/users/:id/voicemail/:mid/audio", { config: getAudio }, async (request, reply) => {
    const message = await messageOf(request);
    const { format } = parseInput(getAudio.wire.query, request.query, "query");
    const blob = await recordings.get(message.audioId, format);
    if (!blob) throw new NotFoundError(`the recording of "${message.id}" no longer exists`);
    return sendAudio(request, reply, blob);
  });

  app.patch("/users/:id/voicemail/:mid", { config: patchMessage }, async (request) => {
    const message = await messageOf(request);
    const { state } = parseInput(patchMessage.wire.body, request.body);
    if (!(await voicemail.update(message.userId, message.id, { state }))) {
      throw new NotFoundError(`no voicemail message "${message.id}"`);
    }
    request.log.info({ userId: message.userId, messageId: message.id, state }, "voicemail marked");
    changed(request, message.userId);
    return toJson({ ...message, state });
  });

  app.delete("/users/:id/voicemail/:mid", { config: deleteMessage }, async (request, reply) => {
    const message = await messageOf(request);
    const outcome = await deleteVoicemailMessage(deps.store, message);
    if (!outcome.deleted) throw new NotFoundError(`no voicemail message "${message.id}"`);
    if (outcome.audioError !== undefined)
      request.log.warn(
        { err: outcome.audioError, audioId: message.audioId },
        "voicemail audio not deleted",
      );
    request.log.info({ userId: message.userId, messageId: message.id }, "voicemail deleted");
    changed(request, message.userId);
    return reply.code(204).send();
  });
};
