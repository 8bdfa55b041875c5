// Request bodies of the users resource (DESIGN §4): a new user is profile fields plus optional
// secrets; a PATCH names only the top-level fields it replaces. Secrets are never sent back.

import { z } from "zod";
import { profileFields, userIdSchema } from "./profile.ts";

export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(1024);
export const pinSchema = z.string().regex(/^[0-9]{4,12}$/, "expected 4–12 digits");

const optionalFields = {
  displayName: profileFields.displayName.optional(),
  phones: profileFields.phones.optional(),
  emails: profileFields.emails.optional(),
  voicemailSystems: profileFields.voicemailSystems.optional(),
  imClients: profileFields.imClients.optional(),
  routes: profileFields.routes.optional(),
  mwi: profileFields.mwi.optional(),
};

export const createUserSchema = z.strictObject({
  id: userIdSchema,
  ...optionalFields,
  password: passwordSchema.optional(),
  pin: pinSchema.optional(),
});
export type CreateUserBody = z.output<typeof createUserSchema>;

/** An absent password or PIN stays as it is (the store has no way to remove one yet). */
export const patchUserSchema = z.strictObject({
  id: userIdSchema.optional(),
  ...optionalFields,
  password: passwordSchema.optional(),
  pin: pinSchema.optional(),
});
export type PatchUserBody = z.output<typeof patchUserSchema>;

export const userParamsSchema = z.strictObject({ id: userIdSchema });
