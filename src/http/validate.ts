// Parse, don't validate: request parts go through a zod schema once, at the edge, and a failure
// becomes a ValidationError naming the dotted path of the first problem ("routes.0.from").

import { type $ZodType, config, type output, safeParse, $ZodError as ZodError } from "zod/v4/core";
import en from "zod/v4/locales/en.js";
import { ValidationError } from "../core/errors.ts";

// The wire schemas are zod/mini, which loads no locale: the server's messages are English.
config(en());

/** "emails.0"; for an unknown key, the key itself ("mwi.colour"); `root` when the path is empty. */
export function fieldOf(error: ZodError, root = "body"): { field: string; reason: string } {
  const issue = error.issues[0];
  if (!issue) return { field: root, reason: "invalid" };
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) {
    return { field: [...path, issue.keys[0]].join("."), reason: "unknown key" };
  }
  return { field: path.length > 0 ? path.join(".") : root, reason: issue.message };
}

export function toValidationError(error: ZodError, root = "body"): ValidationError {
  const { field, reason } = fieldOf(error, root);
  return new ValidationError(field, reason);
}

/** Parses `value` or throws ValidationError; `root` names the whole value (body, query, params). */
export function parseInput<S extends $ZodType>(
  schema: S,
  value: unknown,
  root = "body",
): output<S> {
  const result = safeParse(schema, value);
  if (!result.success) throw toValidationError(result.error, root);
  return result.data;
}

export { ZodError };
