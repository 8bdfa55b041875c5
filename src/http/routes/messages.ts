// POST /api/v1/messages (README "The outside contract"): a user (or the admin for a user) submits a
// text or a voice message (`audio`: a base64 WAV) for a mailto:/tel:/sip:/xmpp: target; a tel:
// target gets text spoken, a mail target gets audio transcribed and attached. 201 once it is
// durable.

import type { FastifyPluginAsync } from "fastify";
import { parseSendTarget, sendDraft } from "../../adapters/web/inbound.ts";
import { type Address, formatAddress } from "../../core/address.ts";
import { ForbiddenError, RateLimitedError, ValidationError } from "../../core/errors.ts";
import type { CommunicationDraft } from "../../core/ports.ts";
import { submittedAudio } from "../../gateway/submitted-audio.ts";
import { principalOf } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { routeSchemas } from "../route-schemas.ts";
import {
  AUDIO_BASE64_MAX,
  type MessageAnswer,
  type MessageBody,
  messageAnswerSchema,
  messageBodySchema,
} from "../schemas/messages.ts";
import { parseInput } from "../validate.ts";

/** The client id a communication submitted over REST carries in its `from` address. */
export const API_CLIENT_ID = "api";

/** Room for the base64 audio plus the other fields; other routes keep the server's 1 MiB. */
const MESSAGE_BODY_LIMIT = AUDIO_BASE64_MAX + 512 * 1024;

const postMessage = routeSchemas({
  summary: "Send a text or voice message to a mailto:, tel:, sip: or xmpp: target",
  auth: "bearer",
  body: messageBodySchema,
  answers: [{ status: 201, description: "Stored; delivery follows", body: messageAnswerSchema }],
});
const postMessageOptions = { bodyLimit: MESSAGE_BODY_LIMIT, config: postMessage };

export const messagesRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  app.addHook("onRequest", auth.hook());
  const storeAudio = submittedAudio({
    audio: deps.store.audio,
    ...(deps.audio ? { converter: deps.audio } : {}),
    maxMessageMs: deps.config.voicemail.maxMessageMs,
  });

  app.post("/messages", postMessageOptions, async (request, reply) => {
    const body = parseInput(postMessage.wire.body, request.body);
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
    const take = deps.webClients.takeSend(userId);
    if (!take.ok) {
      throw new RateLimitedError(
        `too many messages from ${userId}; try again in ${Math.ceil(take.retryAfterMs / 1000)} s`,
        take.retryAfterMs,
      );
    }
    const to = parseSendTarget(body.to);
    const client = { userId, clientId: API_CLIENT_ID };
    const draft =
      body.audio === undefined
        ? sendDraft({ ...body, text: body.text ?? "" }, client, to)
        : voiceDraft(
            body,
            client,
            to,
            await storeAudio(Buffer.from(body.audio, "base64"), {
              userId,
              ...(body.requestId ? { requestId: body.requestId } : {}),
            }),
          );
    const communication = await deps.gateway.receive(draft);
    return reply.code(201).send({
      communicationId: communication.id,
      threadId: communication.thread.threadId,
    } satisfies MessageAnswer);
  });
};

/**
 * A voice message from the API: a "voicemail" the user sends, routed to `to` like a text one
 * (the same requestId idempotency and threading as sendDraft).
 */
function voiceDraft(
  body: MessageBody,
  client: { userId: string; clientId: string },
  to: Address,
  audio: { audioId: string; durationMs: number },
): CommunicationDraft {
  const from: Address = { scheme: "web", userId: client.userId, clientId: client.clientId };
  return {
    kind: "voicemail",
    direction: "outbound",
    userId: client.userId,
    from,
    to,
    subject: body.subject,
    body: audio,
    receivedAt: new Date(),
    nativeRefs: body.requestId
      ? [{ system: "im", id: `${formatAddress(from)}#${body.requestId}` }]
      : [],
    warnings: [],
    replyTo: body.inReplyTo ? [{ system: "omnivox", id: body.inReplyTo }] : undefined,
  };
}
