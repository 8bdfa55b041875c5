// The events and replies WebSocket /api/v1/stream sends down (README "The outside contract"
// stream), for the web client to parse and for the tests that hold them equal to what the web
// adapter builds (adapters/web/frames.ts). Frames up are parsed by the adapter itself.

import * as z from "zod/mini";
import { indicatorShape } from "./mwi.ts";

const str = z.string;

/** A text rendition delivered to a web client; `id` is the delivery id, stable across re-sends. */
export const messageEventSchema = z.strictObject({
  id: str(),
  type: z.literal("message"),
  communicationId: str(),
  threadId: str(),
  /** A sender label ("Bob <bob@example.net>"). */
  from: str(),
  subject: z.optional(str()),
  text: str(),
  audioUrl: z.optional(str()),
  /** ISO 8601. */
  receivedAt: str(),
  /** What went wrong on the way, e.g. HTML stored as plain text. */
  warnings: z.optional(z.array(str())),
});
export type MessageEvent = z.output<typeof messageEventSchema>;

export const mwiEventSchema = z.strictObject({
  id: str(),
  type: z.literal("mwi"),
  ...indicatorShape,
});
export type MwiEvent = z.output<typeof mwiEventSchema>;

/** Internet call waiting (README "Internet call waiting"): a call rings until `decideBy`. */
export const callAlertEventSchema = z.strictObject({
  id: str(),
  type: z.literal("call-alert"),
  callId: str(),
  from: z.strictObject({ ani: str(), name: z.optional(str()) }),
  dnis: str(),
  /** ISO 8601; with no choice by then the call goes to voicemail. */
  decideBy: str(),
});
export type CallAlertEvent = z.output<typeof callAlertEventSchema>;

export const CALL_STATES = ["ringing", "recording", "forwarded", "taken-over", "ended"] as const;
export type CallState = (typeof CALL_STATES)[number];

export const callUpdateEventSchema = z.strictObject({
  id: str(),
  type: z.literal("call-update"),
  callId: str(),
  state: z.enum(CALL_STATES),
  /** Path under /api/v1 streaming the live recording as audio/wav (only while recording). */
  screenUrl: z.optional(str()),
});
export type CallUpdateEvent = z.output<typeof callUpdateEventSchema>;

/** Replies to a `send` or `call-action` frame: not events, so no id and no ack. */
export const replyFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("sent"),
    requestId: z.optional(str()),
    communicationId: str(),
    threadId: str(),
  }),
  z.strictObject({
    type: z.literal("error"),
    requestId: z.optional(str()),
    /** Set when the error answers a call-action frame. */
    callId: z.optional(str()),
    message: str(),
    field: z.optional(str()),
    /** A rate-limited send: when to try again. */
    retryAfterMs: z.optional(z.number()),
  }),
]);
export type ReplyFrame = z.output<typeof replyFrameSchema>;

/** Any event: whatever carries an id is acknowledged, so the server stops re-sending it. */
export const anyEventSchema = z.looseObject({ id: str(), type: str() });
