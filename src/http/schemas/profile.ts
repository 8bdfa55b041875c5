// Zod schemas mirroring src/core/profile.ts (DESIGN §4 profile): strict objects, so an unknown key
// is a 400 naming it. Emails are lower-cased and phones reduced to digits and a leading "+".

import { z } from "zod";
import { SYSTEM_KINDS } from "../../core/system.ts";

export const USER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const userIdSchema = z
  .string()
  .regex(USER_ID, "expected 1–64 of a-z 0-9 . _ -, starting with a letter or digit");
const itemId = z.string().regex(ITEM_ID, "expected 1–64 of A-Z a-z 0-9 . _ -");

export const phoneSchema = z
  .string()
  .transform((s) => s.replace(/[\s().-]/g, ""))
  .pipe(
    z.string().regex(/^\+?[0-9]{2,32}$/, "expected a phone number: digits, optional leading +"),
  );

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z
      .string()
      .max(254)
      .regex(/^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/, "expected an email address"),
  );

const sipUri = z
  .string()
  .max(512)
  .regex(/^sips?:\S+$/, "expected a sip: URI");

export const voicemailSystemSchema = z.discriminatedUnion("kind", [
  z.strictObject({ id: itemId, kind: z.literal("internal") }),
  z.strictObject({
    id: itemId,
    kind: z.literal("sip"),
    uri: sipUri,
    depositUri: sipUri.optional(),
  }),
  z.strictObject({
    id: itemId,
    kind: z.literal("smdi"),
    link: z.string().min(1).max(64),
    station: z.string().regex(/^[0-9]{1,16}$/, "expected the station's digits"),
    depositUri: sipUri.optional(),
  }),
]);

/** RFC 7622: [localpart@]domainpart[/resourcepart], at most 3071 bytes in all. */
export const jidSchema = z
  .string()
  .max(3071)
  .regex(/^([^\s@/]+@)?[^\s@/]+(\/\S*)?$/, "expected a JID");

export const imClientSchema = z.discriminatedUnion("kind", [
  z.strictObject({ id: itemId, kind: z.literal("web") }),
  z.strictObject({ id: itemId, kind: z.literal("xmpp"), jid: jidSchema }),
]);

export const routeSchema = z.strictObject({
  from: z.enum([...SYSTEM_KINDS, "*"]),
  to: z.array(z.enum(["email", "im", "voicemail", "pstn", "cellular", "legacy-voicemail"])).min(1),
  transcribe: z.boolean().optional(),
  // No MP3 encoder ships with omnivox (none without a native dependency), so only WAV is offered.
  audioFormat: z
    .literal("wav", {
      error: 'expected "wav": MP3 is not supported, no MP3 encoder is available in this build',
    })
    .optional(),
  voice: z.string().min(1).max(64).optional(),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "expected a BCP 47 tag")
    .optional(),
});

export const mwiSchema = z.strictObject({
  enabled: z.boolean().default(true),
  supplemental: z
    .strictObject({
      timestamp: z.boolean().default(true),
      text: z.string().max(500).optional(),
    })
    .prefault({}),
  /** What the user's SIP phones' MWI NOTIFY counts: our own store, or every enabled system. */
  phones: z.enum(["internal", "all"]).optional(),
});

/** Ids within one list name things (routes, MWI commands), so they must be unique. */
function uniqueIds<T extends { id: string }>(items: T[], ctx: z.RefinementCtx, key: string): void {
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
  displayName: z.string().trim().min(1).max(200),
  phones: z.array(phoneSchema).max(32).transform(unique),
  emails: z.array(emailSchema).max(32).transform(unique),
  voicemailSystems: z.array(voicemailSystemSchema).max(32),
  imClients: z.array(imClientSchema).max(32),
  routes: z.array(routeSchema).max(64),
  mwi: mwiSchema,
};

export const profileSchema = z
  .strictObject({ id: userIdSchema, ...profileFields })
  .superRefine((p, ctx) => {
    uniqueIds(p.voicemailSystems, ctx, "voicemailSystems");
    uniqueIds(p.imClients, ctx, "imClients");
  });
