// The users resource on the wire (README "The outside contract"): a new user is profile fields
// plus optional secrets; a PATCH names only the top-level fields it replaces. Secrets are never
// sent back, but for the SIP secret in the answer that made it.

import * as z from "zod/mini";
import { profileFields, profileSchema, userIdSchema } from "./profile.ts";

export const passwordSchema = z
  .string()
  .check(z.minLength(8, "must be at least 8 characters"), z.maxLength(1024));
export const pinSchema = z.string().check(z.regex(/^[0-9]{4,12}$/, "expected 4–12 digits"));

const optionalFields = {
  displayName: z.optional(profileFields.displayName),
  phones: z.optional(profileFields.phones),
  emails: z.optional(profileFields.emails),
  voicemailSystems: z.optional(profileFields.voicemailSystems),
  imClients: z.optional(profileFields.imClients),
  routes: z.optional(profileFields.routes),
  mwi: z.optional(profileFields.mwi),
  voicemail: profileFields.voicemail,
};

export const createUserSchema = z.strictObject({
  id: userIdSchema,
  ...optionalFields,
  password: z.optional(passwordSchema),
  pin: z.optional(pinSchema),
});
export type CreateUserBody = z.output<typeof createUserSchema>;

/** An absent password or PIN stays as it is (the store has no way to remove one yet). */
export const patchUserSchema = z.strictObject({
  id: z.optional(userIdSchema),
  ...optionalFields,
  password: z.optional(passwordSchema),
  pin: z.optional(pinSchema),
});
export type PatchUserBody = z.output<typeof patchUserSchema>;

export const userParamsSchema = z.strictObject({ id: userIdSchema });

export const profileListSchema = z.array(profileSchema);

/** The SIP secret phones register with, shown once: by POST /users and POST /users/:id/sip-secret. */
export const sipSecretAnswerSchema = z.strictObject({ sipSecret: z.string() });
export type SipSecretAnswer = z.output<typeof sipSecretAnswerSchema>;

export const createdUserSchema = z.strictObject({
  id: userIdSchema,
  ...profileFields,
  ...sipSecretAnswerSchema.shape,
});
export type CreatedUser = z.output<typeof createdUserSchema>;
