// The web client's wire format over WebSocket (README "The outside contract" stream): JSON text
// frames. Events down carry an `id` the client acknowledges; frames up are parsed here with zod
// before anything else.

import { z } from "zod";
import type { VoicemailIndicator } from "../../core/mwi.ts";

/** Anything the hub pushes that the client must acknowledge with `{type: "ack", id}`. */
export interface StreamEvent {
  id: string;
  type: string;
}

export interface MessageEvent extends StreamEvent {
  type: "message";
  communicationId: string;
  threadId: string;
  /** A sender label ("Bob <bob@example.net>"). */
  from: string;
  subject?: string;
  text: string;
  audioUrl?: string;
  /** ISO 8601. */
  receivedAt: string;
  /** What went wrong on the way, e.g. HTML stored as plain text; absent when nothing did. */
  warnings?: string[];
}

/** The voicemail indicator message (src/core/mwi.ts, docs/mwi-indicator.md) for this client. */
export interface MwiEvent extends StreamEvent, VoicemailIndicator {
  type: "mwi";
}

/** Replies to a `send` or `call-action` frame; not events, so they carry no id and take no ack. */
export type ReplyFrame =
  | { type: "sent"; requestId?: string; communicationId: string; threadId: string }
  | {
      type: "error";
      requestId?: string;
      callId?: string;
      message: string;
      field?: string;
      /** A rate-limited send: when to try again. */
      retryAfterMs?: number;
    };

const shortId = z.string().min(1).max(200);

export const ackFrameSchema = z.strictObject({ type: z.literal("ack"), id: shortId });

export const sendFrameSchema = z.strictObject({
  type: z.literal("send"),
  to: z.string().min(1).max(1024),
  text: z
    .string()
    .min(1)
    .max(32 * 1024),
  subject: z.string().max(998).optional(),
  /** Echoed in the reply; also makes a retried send idempotent (same communication). */
  requestId: shortId.optional(),
  /** The communicationId this message answers: the reply joins that thread. */
  inReplyTo: shortId.optional(),
});

/** Where a call may be forwarded or taken over to: a telephone number or a SIP URI. */
const callTarget = z
  .string()
  .max(1024)
  .regex(/^(tel:\+?[0-9*#]{1,32}|sips?:[^\s<>"]+)$/, 'expected "tel:<number>" or "sip:<uri>"');

const callAction = <A extends string, S extends z.ZodRawShape>(action: A, shape: S) =>
  z.strictObject({
    type: z.literal("call-action"),
    callId: shortId,
    action: z.literal(action),
    ...shape,
  });

/** The user's choice for a call of a `call-alert` (README "Internet call waiting"): one of four actions. */
export const callActionFrameSchema = z.discriminatedUnion("action", [
  callAction("voicemail", {}),
  callAction("forward", { to: callTarget }),
  callAction("reply", { text: z.string().trim().min(1).max(2000) }),
  callAction("takeover", { to: callTarget }),
]);

export const upFrameSchema = z.discriminatedUnion("type", [
  ackFrameSchema,
  sendFrameSchema,
  callActionFrameSchema,
]);

export type AckFrame = z.output<typeof ackFrameSchema>;
export type SendFrame = z.output<typeof sendFrameSchema>;
export type CallActionFrame = z.output<typeof callActionFrameSchema>;
export type UpFrame = z.output<typeof upFrameSchema>;
