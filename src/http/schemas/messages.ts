// POST /api/v1/messages on the wire (README "The outside contract"): the body has the same fields
// as the WebSocket `send` frame, plus `userId` with which the admin submits on a user's behalf, and
// `audio` (a base64 WAV) for a voice message instead of `text`; the answer names what was stored.

import * as z from "zod/mini";
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
    userId: z.optional(userIdSchema),
    to: z.string().check(z.minLength(1), z.maxLength(1024)),
    text: z.optional(z.string().check(z.minLength(1), z.maxLength(256 * 1024))),
    /** A WAV file (PCM 16-bit, µ-law or A-law, any rate) as base64. */
    audio: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(AUDIO_BASE64_MAX, "audio: at most 8 MiB of base64 (about 6 MB of WAV)"),
          z.refine(
            isBase64,
            "expected a WAV file as standard base64 (RFC 4648), without line breaks",
          ),
        ),
    ),
    subject: z.optional(z.string().check(z.maxLength(998))),
    /** Makes a retried submission idempotent: the same communication comes back. */
    requestId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    /** The communicationId this message answers: it joins that thread. */
    inReplyTo: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.text === undefined && body.audio === undefined)
        ctx.addIssue({ code: "custom", path: ["text"], message: "give text or audio" });
      if (body.text !== undefined && body.audio !== undefined)
        ctx.addIssue({ code: "custom", path: ["audio"], message: "give text or audio, not both" });
    }),
  );

export type MessageBody = z.infer<typeof messageBodySchema>;

/** 201: the communication is durable. */
export const messageAnswerSchema = z.strictObject({
  communicationId: z.string(),
  threadId: z.string(),
});
export type MessageAnswer = z.output<typeof messageAnswerSchema>;
