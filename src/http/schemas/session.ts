// Body of POST /api/v1/session (DESIGN §4): a user id and password in, a session token out.

import * as z from "zod/mini";

export const sessionBodySchema = z.strictObject({
  user: z.string().check(z.minLength(1), z.maxLength(64)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});
