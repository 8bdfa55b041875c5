// Query of GET /api/v1/communications: whose, how many, and a cursor (receivedAt of the last one
// seen) for paging back in time.

import { z } from "zod";
import { userIdSchema } from "./profile.ts";

export const communicationsQuerySchema = z.strictObject({
  userId: userIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.iso
    .datetime({ offset: true, message: "expected an ISO 8601 date-time" })
    .transform((s) => new Date(s))
    .optional(),
});
