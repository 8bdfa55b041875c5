// Body of POST /api/v1/messages (DESIGN §4): the same fields as the WebSocket `send` frame, plus
// `userId` with which the admin submits on a user's behalf.

import { z } from "zod";
import { userIdSchema } from "./profile.ts";

export const messageBodySchema = z.strictObject({
  userId: userIdSchema.optional(),
  to: z.string().min(1).max(1024),
  text: z
    .string()
    .min(1)
    .max(256 * 1024),
  subject: z.string().max(998).optional(),
  /** Makes a retried submission idempotent: the same communication comes back. */
  requestId: z.string().min(1).max(200).optional(),
  /** The communicationId this message answers: it joins that thread. */
  inReplyTo: z.string().min(1).max(200).optional(),
});
