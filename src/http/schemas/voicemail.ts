// Request parts of the voicemail resource (DESIGN §4) and of the token-free audio link: path
// parameters, the PATCH body (marking a message read is state "saved") and the link's query.

import { z } from "zod";
import { AUDIO_ID } from "../audio-urls.ts";
import { userIdSchema } from "./profile.ts";

/** Message ids are made by the deposit (uuids); allow what an import might bring, nothing more. */
export const messageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "expected a voicemail message id");

export const mailboxParamsSchema = z.strictObject({ id: userIdSchema });
export const messageParamsSchema = z.strictObject({ id: userIdSchema, mid: messageIdSchema });

export const patchMessageSchema = z.strictObject({ state: z.enum(["new", "saved"]) });
export type PatchMessageBody = z.output<typeof patchMessageSchema>;

export const audioParamsSchema = z.strictObject({
  audioId: z.string().regex(AUDIO_ID, "expected an audio id"),
});
/** Only the shape is checked here; the signature and expiry answer 403 (routes/audio.ts). */
export const audioQuerySchema = z.object({
  exp: z.string().regex(/^[0-9]{1,15}$/, "expected the expiry in epoch milliseconds"),
  sig: z.string().min(1, "required"),
});
