// The MWI resource on the wire (README "The outside contract", docs/mwi-indicator.md), for the
// server and the web client: the user and voicemail system in the path, the switch in the PUT body,
// the state GET /users/:id/mwi answers, and the voicemail indicator the stream's `mwi` event
// carries.

import * as z from "zod/mini";
import type { MwiCounts, SystemFields, VoicemailIndicator } from "../../core/mwi.ts";
import { userIdSchema } from "./profile.ts";
import type { Same } from "./same.ts";

export const mwiParamsSchema = z.strictObject({ id: userIdSchema });
export const mwiSystemParamsSchema = z.strictObject({
  id: userIdSchema,
  systemId: z.string().check(z.minLength(1), z.maxLength(64)),
});
export const putMwiSchema = z.strictObject({ enabled: z.boolean() });

const str = z.string;
const countsShape = {
  new: z.number(),
  old: z.number(),
  urgentNew: z.number(),
  urgentOld: z.number(),
};
const callerShape = { ani: z.optional(str()), dnis: z.optional(str()), at: str() };

export const mwiCountsSchema = z.strictObject(countsShape);

/** One voicemail system's field group (core/mwi.ts SystemFields). */
export const systemFieldsSchema = z.strictObject({
  id: str(),
  kind: z.enum(["internal", "sip", "smdi"]),
  enabled: z.boolean(),
  ...countsShape,
  lastCaller: z.optional(z.strictObject(callerShape)),
});

/** GET /users/:id/mwi and PUT /users/:id/mwi/:systemId answer this. */
export const mwiSnapshotSchema = z.strictObject({
  total: mwiCountsSchema,
  systems: z.array(systemFieldsSchema),
});
export type MwiSnapshotJson = z.output<typeof mwiSnapshotSchema>;

/** The voicemail indicator message (docs/mwi-indicator.md); the stream event adds id and type. */
export const indicatorShape = {
  client: z.strictObject({ id: str(), kind: z.enum(["web", "xmpp"]), jid: z.optional(str()) }),
  userId: str(),
  version: z.number(),
  total: mwiCountsSchema,
  systems: z.array(systemFieldsSchema),
  lastCaller: z.optional(z.strictObject({ systemId: str(), ...callerShape })),
  supplemental: z.optional(
    z.strictObject({ timestamp: z.optional(str()), text: z.optional(str()) }),
  ),
};
export const voicemailIndicatorSchema = z.strictObject(indicatorShape);

true satisfies Same<z.output<typeof mwiCountsSchema>, MwiCounts>;
true satisfies Same<z.output<typeof systemFieldsSchema>, SystemFields>;
true satisfies Same<z.output<typeof voicemailIndicatorSchema>, VoicemailIndicator>;
