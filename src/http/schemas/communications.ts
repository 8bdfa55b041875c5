// GET /api/v1/communications on the wire (README "The outside contract"), for the server and the
// web client: the query (whose, how many, and a cursor — receivedAt of the last one seen — for
// paging back in time) and the answer, each communication as core holds it with dates as ISO 8601
// strings.

import * as z from "zod/mini";
import { DELIVERY_STATES } from "../../core/delivery.ts";
import { SYSTEM_KINDS } from "../../core/system.ts";
import { userIdSchema } from "./profile.ts";

export const communicationsQuerySchema = z.strictObject({
  userId: z.optional(userIdSchema),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 50),
  before: z.optional(
    z.pipe(
      z.iso.datetime({ offset: true, message: "expected an ISO 8601 date-time" }),
      z.transform((s: string) => new Date(s)),
    ),
  ),
});

const str = z.string;

/** core/address.ts Address. */
export const addressSchema = z.discriminatedUnion("scheme", [
  z.strictObject({ scheme: z.literal("mailto"), email: str(), name: z.optional(str()) }),
  z.strictObject({ scheme: z.literal("tel"), number: str() }),
  z.strictObject({ scheme: z.literal("sip"), uri: str() }),
  z.strictObject({ scheme: z.literal("xmpp"), jid: str() }),
  z.strictObject({ scheme: z.literal("web"), userId: str(), clientId: str() }),
  z.strictObject({ scheme: z.literal("voicemail"), userId: str() }),
  z.strictObject({ scheme: z.literal("legacy"), userId: str(), systemId: str() }),
  z.strictObject({ scheme: z.literal("webhook"), id: str() }),
]);

/** What every kind of communication carries (core/communication.ts Base). */
const baseShape = {
  id: str(),
  userId: str(),
  direction: z.enum(["inbound", "outbound"]),
  from: addressSchema,
  to: addressSchema,
  subject: z.optional(str()),
  receivedAt: str(),
  thread: z.strictObject({ threadId: str(), parentId: z.optional(str()) }),
  nativeRefs: z.array(z.strictObject({ system: z.enum([...SYSTEM_KINDS, "omnivox"]), id: str() })),
  warnings: z.array(str()),
};

/** A delivery as the answer shows it: its internals (lease, next attempt) stay inside. */
export const deliveryJsonSchema = z.strictObject({
  id: str(),
  target: str(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  lastError: z.nullable(str()),
  deliveredAt: z.nullable(str()),
});
export type DeliveryJson = z.output<typeof deliveryJsonSchema>;

const deliveries = z.array(deliveryJsonSchema);

/** Email, IM and ICW carry text (core/communication.ts TextBody). */
const textCommunication = <K extends "email" | "im" | "icw">(kind: K) =>
  z.strictObject({
    ...baseShape,
    kind: z.literal(kind),
    body: z.strictObject({ text: str(), html: z.optional(str()) }),
    deliveries,
  });

export const communicationJsonSchema = z.discriminatedUnion("kind", [
  textCommunication("email"),
  textCommunication("im"),
  textCommunication("icw"),
  z.strictObject({
    ...baseShape,
    kind: z.enum(["voicemail", "pstn", "cellular", "legacy-voicemail"]),
    body: z.strictObject({
      audioId: str(),
      durationMs: z.number(),
      transcript: z.optional(str()),
    }),
    ani: z.optional(str()),
    dnis: z.optional(str()),
    callerName: z.optional(str()),
    deliveries,
  }),
]);
export type CommunicationJson = z.output<typeof communicationJsonSchema>;
export const communicationListSchema = z.array(communicationJsonSchema);
