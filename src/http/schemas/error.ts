// The body of every refused request (README "The outside contract", docs/errors.md): the error
// code, a message, and for a validation error the dotted path of the field ("routes.0.from").

import * as z from "zod/mini";

export const errorBodySchema = z.strictObject({
  error: z.string(),
  message: z.string(),
  field: z.optional(z.string()),
});
export type ErrorBody = z.output<typeof errorBodySchema>;
