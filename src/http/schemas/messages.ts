// Body of POST /api/v1/messages (DESIGN §4): the same fields as the WebSocket `send` frame, plus
// `userId` with which the admin submits on a user's behalf, and `audio` (a base64 WAV) for a
// voice message instead of `text`.

import { z } from "zod";
import { userIdSchema } from "./profile.ts";

/** A JSON body carries audio as base64: 8 MiB of it is about 6 MB of WAV (6 min at 8 kHz). */
export const AUDIO_BASE64_MAX = 8 * 1024 * 1024;

/**
 * Standard base64 (RFC 4648 §4) with padding, no line breaks: whole quanta of the alphabet, "="
 * only at the end. A flat character class, not a repeated group: V8 runs a group repeated over
 * megabytes out of stack ("Maximum call stack size exceeded", a 500 for the largest audio).
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (s: string) => s.length % 4 === 0 && BASE64_CHARS.test(s);

export const messageBodySchema = z
  .strictObject({
    userId: userIdSchema.optional(),
    to: z.string().min(1).max(1024),
    text: z
      .string()
      .min(1)
      .max(256 * 1024)
      .optional(),
    /** A WAV file (PCM 16-bit, µ-law or A-law, any rate) as base64. */
    audio: z
      .string()
      .min(1)
      .max(AUDIO_BASE64_MAX, "audio: at most 8 MiB of base64 (about 6 MB of WAV)")
      .refine(isBase64, "expected a WAV file as standard base64 (RFC 4648), without line breaks")
      .optional(),
    subject: z.string().max(998).optional(),
    /** Makes a retried submission idempotent: the same communication comes back. */
    requestId: z.string().min(1).max(200).optional(),
    /** The communicationId this message answers: it joins that thread. */
    inReplyTo: z.string().min(1).max(200).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.text === undefined && body.audio === undefined)
      ctx.addIssue({ code: "custom", path: ["text"], message: "give text or audio" });
    if (body.text !== undefined && body.audio !== undefined)
      ctx.addIssue({ code: "custom", path: ["audio"], message: "give text or audio, not both" });
  });

export type MessageBody = z.infer<typeof messageBodySchema>;
