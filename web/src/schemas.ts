// What the browser sends and accepts (README "The outside contract" REST and stream): the server's
// own wire schemas (src/http/schemas) and the web adapter's frame types, imported here so page and
// server cannot drift. The schemas are zod/mini over core types and constants: a small bundle, no
// Node code.

import type { CallActionFrame, SendFrame } from "../../src/adapters/web/frames.ts";

export type { AckFrame } from "../../src/adapters/web/frames.ts";

import type { MwiSnapshotJson } from "../../src/http/schemas/mwi.ts";
import type { MwiEvent } from "../../src/http/schemas/stream.ts";

export type {
  ImClient,
  Profile,
  Route,
  RouteTarget,
  VoicemailSystem,
} from "../../src/core/profile.ts";
export {
  AUDIO_FORMAT_FILES,
  AUDIO_FORMATS,
  type AudioFormat,
  isWebhookTarget,
  ROUTE_TARGETS,
} from "../../src/core/profile.ts";
export { routeFor } from "../../src/core/routing.ts";
export { isSystemKind, SYSTEM_KINDS } from "../../src/core/system.ts";
export {
  type CommunicationJson,
  communicationListSchema,
} from "../../src/http/schemas/communications.ts";
export { errorBodySchema } from "../../src/http/schemas/error.ts";
export { mwiSnapshotSchema } from "../../src/http/schemas/mwi.ts";
export { profileSchema } from "../../src/http/schemas/profile.ts";
export { sessionAnswerSchema } from "../../src/http/schemas/session.ts";
export {
  anyEventSchema,
  type CallAlertEvent as CallAlert,
  type CallState,
  type CallUpdateEvent as CallUpdate,
  callAlertEventSchema as callAlertSchema,
  callUpdateEventSchema as callUpdateSchema,
  type MessageEvent,
  messageEventSchema,
  mwiEventSchema,
  type ReplyFrame as Reply,
  replyFrameSchema as replySchema,
} from "../../src/http/schemas/stream.ts";
export type { PatchUserBody } from "../../src/http/schemas/users.ts";
export {
  type VoicemailJson as Voicemail,
  voicemailJsonSchema as voicemailSchema,
  voicemailListSchema,
} from "../../src/http/schemas/voicemail.ts";

/** What the MWI panel shows: GET /users/:id/mwi, or a stream `mwi` event (which says more). */
export type MwiStatus = MwiSnapshotJson & Partial<Pick<MwiEvent, "version" | "supplemental">>;

/** What the page sends up the stream: the web adapter's own frame types (acks are stream.ts's). */
export type UpFrame = SendFrame | CallActionFrame;
