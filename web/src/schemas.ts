// What the browser accepts from the server (DESIGN §4 REST and stream): parsed with zod once at
// the edge, so views only ever see typed data. zod/mini keeps the bundle small (tree-shaken).

import * as z from "zod/mini";

// One list of systems for server and page: core/system.ts has no Node dependency to bundle.
export { SYSTEM_KINDS } from "../../src/core/system.ts";
export const ROUTE_TARGETS = [
  "email",
  "im",
  "voicemail",
  "pstn",
  "cellular",
  "legacy-voicemail",
] as const;

const opt = z.optional;
const str = z.string;

export const sessionSchema = z.object({ token: str().check(z.minLength(1)) });

export const apiErrorSchema = z.object({ error: str(), message: str(), field: opt(str()) });

export const voicemailSchema = z.object({
  id: str(),
  from: z.object({ ani: z.nullable(str()) }),
  dnis: z.nullable(str()),
  receivedAt: str(),
  durationMs: z.number(),
  state: z.enum(["new", "saved"]),
  urgent: z.boolean(),
  transcript: opt(str()),
});
export type Voicemail = z.infer<typeof voicemailSchema>;
export const voicemailListSchema = z.array(voicemailSchema);

const voicemailSystemSchema = z.discriminatedUnion("kind", [
  z.object({ id: str(), kind: z.literal("internal") }),
  z.object({ id: str(), kind: z.literal("sip"), uri: str(), depositUri: opt(str()) }),
  z.object({
    id: str(),
    kind: z.literal("smdi"),
    link: str(),
    station: str(),
    depositUri: opt(str()),
  }),
]);
export type VoicemailSystem = z.infer<typeof voicemailSystemSchema>;

const imClientSchema = z.discriminatedUnion("kind", [
  z.object({ id: str(), kind: z.literal("web") }),
  z.object({ id: str(), kind: z.literal("xmpp"), jid: str() }),
]);
export type ImClient = z.infer<typeof imClientSchema>;

const routeSchema = z.object({
  from: str(),
  to: z.array(str()),
  transcribe: opt(z.boolean()),
  audioFormat: opt(z.enum(["wav", "mp3"])),
  voice: opt(str()),
  language: opt(str()),
});
export type Route = z.infer<typeof routeSchema>;

export const profileSchema = z.object({
  id: str(),
  displayName: str(),
  phones: z.array(str()),
  emails: z.array(str()),
  voicemailSystems: z.array(voicemailSystemSchema),
  imClients: z.array(imClientSchema),
  routes: z.array(routeSchema),
  mwi: z.object({
    enabled: z.boolean(),
    supplemental: z.object({ timestamp: z.boolean(), text: opt(str()) }),
  }),
});
export type Profile = z.infer<typeof profileSchema>;

const countsShape = {
  new: z.number(),
  old: z.number(),
  urgentNew: z._default(z.number(), 0),
  urgentOld: z._default(z.number(), 0),
};
const callerShape = { ani: opt(str()), dnis: opt(str()), at: str() };
const mwiSystemSchema = z.object({
  id: str(),
  kind: opt(str()),
  enabled: z.boolean(),
  ...countsShape,
  lastCaller: z.nullish(z.object(callerShape)),
});

/** GET /users/:id/mwi and the `mwi` stream event share this shape; the event adds a version. */
export const mwiStatusSchema = z.object({
  version: opt(z.number()),
  total: z.object(countsShape),
  systems: z.array(mwiSystemSchema),
  lastCaller: z.nullish(z.object({ ...callerShape, systemId: opt(str()) })),
  supplemental: z.nullish(z.object({ timestamp: opt(str()), text: opt(str()) })),
});
export type MwiStatus = z.infer<typeof mwiStatusSchema>;

export const messageEventSchema = z.object({
  id: str(),
  type: z.literal("message"),
  communicationId: str(),
  from: str(),
  subject: opt(str()),
  text: str(),
  audioUrl: opt(str()),
  receivedAt: str(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

/** An address as the REST API gives it (core/address.ts); only what a label needs is read. */
const addressSchema = z.object({
  scheme: str(),
  email: opt(str()),
  name: opt(str()),
  number: opt(str()),
  uri: opt(str()),
  jid: opt(str()),
  userId: opt(str()),
});

/** One entry of GET /communications: what the message list shows after a reload. */
export const communicationSchema = z.object({
  id: str(),
  direction: str(),
  from: addressSchema,
  subject: opt(str()),
  receivedAt: str(),
  body: z.object({ text: opt(str()), transcript: opt(str()) }),
  deliveries: z.array(z.object({ target: str(), state: str() })),
});
export const communicationListSchema = z.array(communicationSchema);
export type CommunicationJson = z.infer<typeof communicationSchema>;

export const callAlertSchema = z.object({
  id: str(),
  type: z.literal("call-alert"),
  callId: str(),
  from: z.object({ ani: str(), name: opt(str()) }),
  dnis: str(),
  decideBy: opt(str()),
});
export type CallAlert = z.infer<typeof callAlertSchema>;

export const CALL_STATES = ["ringing", "recording", "forwarded", "taken-over", "ended"] as const;
export type CallState = (typeof CALL_STATES)[number];
export const callUpdateSchema = z.object({
  id: str(),
  type: z.literal("call-update"),
  callId: str(),
  state: z.enum(CALL_STATES),
  screenUrl: opt(str()),
});
export type CallUpdate = z.infer<typeof callUpdateSchema>;

/** Replies to up frames: no id, no ack. */
export const replySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("sent"), requestId: opt(str()), communicationId: str() }),
  z.object({
    type: z.literal("error"),
    requestId: opt(str()),
    /** Set when the error answers a call-action frame. */
    callId: opt(str()),
    message: str(),
    field: opt(str()),
  }),
]);
export type Reply = z.infer<typeof replySchema>;

/** Anything else that carries an id is still acknowledged, so the server stops re-sending it. */
export const anyEventSchema = z.object({ id: str(), type: str() });
