// Request parts of the MWI resource (DESIGN §4): the user and voicemail system in the path and the
// switch in the PUT body.

import * as z from "zod/mini";
import { userIdSchema } from "./profile.ts";

export const mwiParamsSchema = z.strictObject({ id: userIdSchema });
export const mwiSystemParamsSchema = z.strictObject({
  id: userIdSchema,
  systemId: z.string().check(z.minLength(1), z.maxLength(64)),
});
export const putMwiSchema = z.strictObject({ enabled: z.boolean() });
