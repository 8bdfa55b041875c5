// The profile on the wire (README "The outside contract" profile), for the server and the web
// client alike: strict objects, so an unknown key is a 400 naming it. Emails are lower-cased and
// phones reduced to digits and a leading "+". zod/mini keeps the browser bundle small; the types
// equal core's.

import * as z from "zod/mini";
import { WEBHOOK_ID } from "../../core/address.ts";
import {
  AUDIO_FORMATS,
  type ImClient,
  type MwiPreferences,
  type Profile,
  ROUTE_TARGETS,
  type Route,
  type VoicemailPreferences,
  type VoicemailSystem,
} from "../../core/profile.ts";
import { SYSTEM_KINDS } from "../../core/system.ts";
import type { Same } from "./same.ts";

export const USER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const userIdSchema = z
  .string()
  .check(z.regex(USER_ID, "expected 1–64 of a-z 0-9 . _ -, starting with a letter or digit"));
/** Names an item of a profile list: a voicemail system, an IM client. */
export const itemIdSchema = z
  .string()
  .check(z.regex(ITEM_ID, "expected 1–64 of A-Z a-z 0-9 . _ -"));

export const phoneSchema = z.string().check(
  z.overwrite((s) => s.replace(/[\s().-]/g, "")),
  z.regex(/^\+?[0-9]{2,32}$/, "expected a phone number: digits, optional leading +"),
);

export const emailSchema = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.maxLength(254),
    z.regex(/^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/, "expected an email address"),
  );

const sipUri = z.string().check(z.maxLength(512), z.regex(/^sips?:\S+$/, "expected a sip: URI"));

export const voicemailSystemSchema = z.discriminatedUnion("kind", [
  z.strictObject({ id: itemIdSchema, kind: z.literal("internal") }),
  z.strictObject({
    id: itemIdSchema,
    kind: z.literal("sip"),
    uri: sipUri,
    depositUri: z.optional(sipUri),
  }),
  z.strictObject({
    id: itemIdSchema,
    kind: z.literal("smdi"),
    link: z.string().check(z.minLength(1), z.maxLength(64)),
    station: z.string().check(z.regex(/^[0-9]{1,16}$/, "expected the station's digits")),
    depositUri: z.optional(sipUri),
  }),
]);

/** RFC 7622: [localpart@]domainpart[/resourcepart], at most 3071 bytes in all. */
export const jidSchema = z
  .string()
  .check(z.maxLength(3071), z.regex(/^([^\s@/]+@)?[^\s@/]+(\/\S*)?$/, "expected a JID"));

export const imClientSchema = z.discriminatedUnion("kind", [
  z.strictObject({ id: itemIdSchema, kind: z.literal("web") }),
  z.strictObject({ id: itemIdSchema, kind: z.literal("xmpp"), jid: jidSchema }),
]);

/** A target by kind (`email`), or one configured webhook by id (`webhook:ops`). */
export const routeTargetSchema = z.union(
  [z.enum(ROUTE_TARGETS), z.templateLiteral(["webhook:", z.string().check(z.regex(WEBHOOK_ID))])],
  { error: `expected one of ${ROUTE_TARGETS.join(", ")}, or webhook:<id>` },
);

export const routeSchema = z.strictObject({
  from: z.enum([...SYSTEM_KINDS, "*"]),
  to: z.array(routeTargetSchema).check(z.minLength(1)),
  transcribe: z.optional(z.boolean()),
  audioFormat: z.optional(z.enum(AUDIO_FORMATS, { error: 'expected "wav", "mp3" or "ogg"' })),
  voice: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  language: z.optional(
    z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "expected a BCP 47 tag")),
  ),
});

export const mwiSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  supplemental: z.prefault(
    z.strictObject({
      timestamp: z._default(z.boolean(), true),
      text: z.optional(z.string().check(z.maxLength(500))),
    }),
    {},
  ),
  /** What the user's SIP phones' MWI NOTIFY counts: our own store, or every enabled system. */
  phones: z.optional(z.enum(["internal", "all"])),
});

/** The user's own box; the server checks `retentionDays` against the config's (routes/users.ts). */
export const voicemailPreferencesSchema = z.strictObject({
  retentionDays: z.optional(
    z.int().check(z.minimum(1, "expected a whole number of days, at least 1")),
  ),
});

/** Ids within one list name things (systems, clients), so they must be unique. */
function uniqueIds<T extends { id: string }>(
  items: T[],
  ctx: z.core.$RefinementCtx<unknown>,
  key: string,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) {
      ctx.addIssue({ code: "custom", path: [key, i, "id"], message: `duplicate id "${item.id}"` });
    }
    seen.add(item.id);
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The profile fields other than id: the shape of a PATCH body and most of a POST body. */
export const profileFields = {
  displayName: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  phones: z.array(phoneSchema).check(z.maxLength(32), z.overwrite(unique)),
  emails: z.array(emailSchema).check(z.maxLength(32), z.overwrite(unique)),
  voicemailSystems: z.array(voicemailSystemSchema).check(z.maxLength(32)),
  imClients: z.array(imClientSchema).check(z.maxLength(32)),
  routes: z.array(routeSchema).check(z.maxLength(64)),
  mwi: mwiSchema,
  voicemail: z.optional(voicemailPreferencesSchema),
};

export const profileSchema = z.strictObject({ id: userIdSchema, ...profileFields }).check(
  z.superRefine((p, ctx) => {
    uniqueIds(p.voicemailSystems, ctx, "voicemailSystems");
    uniqueIds(p.imClients, ctx, "imClients");
  }),
);

// What a parse gives is exactly the core type: a field added to one and not the other fails tsc
// here (a field the web schema lacked was dropped by every save).
true satisfies Same<z.output<typeof voicemailSystemSchema>, VoicemailSystem>;
true satisfies Same<z.output<typeof imClientSchema>, ImClient>;
true satisfies Same<z.output<typeof routeSchema>, Route>;
true satisfies Same<z.output<typeof mwiSchema>, MwiPreferences>;
true satisfies Same<z.output<typeof voicemailPreferencesSchema>, VoicemailPreferences>;
true satisfies Same<z.output<typeof profileSchema>, Profile>;
