// The voicemail resource on the wire (README "The outside contract"), for the server and the web
// client: path parameters, the PATCH body (marking a message read is state "saved"), the token-free
// audio link's query, and a message as GET /users/:id/voicemail answers it.

import * as z from "zod/mini";
import { AUDIO_FORMATS } from "../../core/profile.ts";
import { userIdSchema } from "./profile.ts";

/** The audio store's id alphabet (store/audio-store.ts): nothing in it needs URL escaping. */
export const AUDIO_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Message ids are made by the deposit (uuids); allow what an import might bring, nothing more. */
export const messageIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "expected a voicemail message id"));

export const mailboxParamsSchema = z.strictObject({ id: userIdSchema });
export const messageParamsSchema = z.strictObject({ id: userIdSchema, mid: messageIdSchema });

const MESSAGE_STATES = ["new", "saved"] as const;

export const patchMessageSchema = z.strictObject({ state: z.enum(MESSAGE_STATES) });
export type PatchMessageBody = z.output<typeof patchMessageSchema>;

export const audioParamsSchema = z.strictObject({
  audioId: z.string().check(z.regex(AUDIO_ID, "expected an audio id")),
});
/** Only the shape is checked here; the signature and expiry answer 403 (routes/audio.ts). */
/** The encoding a recording is asked in: as stored (WAV) when absent. */
export const recordingQuerySchema = z.object({ format: z.optional(z.enum(AUDIO_FORMATS)) });

export const audioQuerySchema = z.object({
  exp: z.string().check(z.regex(/^[0-9]{1,15}$/, "expected the expiry in epoch milliseconds")),
  sig: z.string().check(z.minLength(1, "required")),
  /** The recording re-encoded (outside the signature: the same audio, another encoding). */
  format: recordingQuerySchema.shape.format,
});

/** One message of a mailbox; `audioUrl` is a signed link an <audio> element can fetch. */
export const voicemailJsonSchema = z.strictObject({
  id: z.string(),
  from: z.strictObject({ ani: z.nullable(z.string()) }),
  dnis: z.nullable(z.string()),
  receivedAt: z.string(),
  durationMs: z.number(),
  state: z.enum(MESSAGE_STATES),
  urgent: z.boolean(),
  transcript: z.optional(z.string()),
  audioUrl: z.string(),
});
export type VoicemailJson = z.output<typeof voicemailJsonSchema>;
export const voicemailListSchema = z.array(voicemailJsonSchema);
