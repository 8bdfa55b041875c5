// Body of POST /api/v1/session (DESIGN §4): a user id and password in, a session token out.

import { z } from "zod";

export const sessionBodySchema = z.strictObject({
  user: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
