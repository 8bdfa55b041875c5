// POST /api/v1/session on the wire (README "The outside contract"): a user id and password in, a
// session token out.

import * as z from "zod/mini";

export const sessionBodySchema = z.strictObject({
  user: z.string().check(z.minLength(1), z.maxLength(64)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const sessionAnswerSchema = z.strictObject({
  token: z.string().check(z.minLength(1)),
  sessionId: z.string(),
  /** ISO 8601. */
  expiresAt: z.string(),
});
export type SessionAnswer = z.output<typeof sessionAnswerSchema>;
