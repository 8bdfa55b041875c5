// The wire schemas the web client parses with are the shapes the server builds: tsc holds each
// schema's output equal to the server-side type (adapters/web/frames.ts, the MWI service, core's
// communication), and each test parses a value made by the server's own code.

import assert from "node:assert/strict";
import { test } from "node:test";
import type * as z from "zod/mini";
import type { MessageEvent, MwiEvent, ReplyFrame } from "../../adapters/web/frames.ts";
import { messageEvent } from "../../adapters/web/outbound.ts";
import type { CallAlertEvent, CallUpdateEvent, IcwState } from "../../core/call-waiting.ts";
import type { Communication } from "../../core/communication.ts";
import { indicatorFor, statesForProfile } from "../../core/mwi.ts";
import { defaultProfile } from "../../core/profile.ts";
import type { MwiSnapshot } from "../../gateway/mwi-service.ts";
import { toJson } from "../routes/communications.ts";
import { type CommunicationJson, communicationJsonSchema } from "./communications.ts";
import type { mwiSnapshotSchema } from "./mwi.ts";
import type { Same } from "./same.ts";
import {
  type CALL_STATES,
  type callAlertEventSchema,
  type callUpdateEventSchema,
  messageEventSchema,
  mwiEventSchema,
  type replyFrameSchema,
} from "./stream.ts";

/** A communication as JSON carries its dates as ISO 8601 strings, and its deliveries. */
type AsJson<C> = C extends Communication
  ? Omit<C, "receivedAt"> & { receivedAt: string; deliveries: CommunicationJson["deliveries"] }
  : never;

true satisfies Same<z.output<typeof messageEventSchema>, MessageEvent>;
true satisfies Same<z.output<typeof mwiEventSchema>, MwiEvent>;
true satisfies Same<z.output<typeof callAlertEventSchema>, CallAlertEvent>;
true satisfies Same<z.output<typeof callUpdateEventSchema>, CallUpdateEvent>;
true satisfies Same<(typeof CALL_STATES)[number], IcwState>;
true satisfies Same<z.output<typeof replyFrameSchema>, ReplyFrame>;
true satisfies Same<z.output<typeof mwiSnapshotSchema>, MwiSnapshot>;
true satisfies Same<CommunicationJson, AsJson<Communication>>;

const at = new Date("2026-03-01T10:00:00.000Z");
const voicemail: Communication = {
  id: "c1",
  userId: "alice",
  direction: "inbound",
  kind: "voicemail",
  from: { scheme: "tel", number: "+15550100" },
  to: { scheme: "voicemail", userId: "alice" },
  receivedAt: at,
  thread: { threadId: "c1" },
  nativeRefs: [{ system: "voicemail", id: "call-1" }],
  warnings: [],
  body: { audioId: "a1", durationMs: 3200, transcript: "call me back" },
  ani: "+15550100",
  callerName: "Bob",
};

test("a communication as GET /communications answers it parses with the wire schema", () => {
  const json = toJson({
    communication: voicemail,
    deliveries: [
      {
        id: "d1",
        communicationId: "c1",
        userId: "alice",
        target: "web:alice/web",
        state: "delivered",
        attempts: 1,
        nextAttemptAt: at,
        createdAt: at,
        deliveredAt: at,
      },
    ],
  });
  const wire = JSON.parse(JSON.stringify(json));
  assert.deepEqual(communicationJsonSchema.parse(wire), wire);
  assert.equal(communicationJsonSchema.safeParse({ ...wire, extra: 1 }).success, false);
});

test("a message event built by the web adapter parses with the wire schema", () => {
  const event = messageEvent(
    voicemail,
    {
      medium: "text",
      subject: "Voice message",
      text: "call me back",
      from: "Bob <+15550100>",
      audioUrl: "/api/v1/audio/a1?exp=1&sig=x",
      notes: ["transcript is machine-made"],
    },
    "d1",
  );
  const wire = JSON.parse(JSON.stringify(event));
  assert.deepEqual(messageEventSchema.parse(wire), wire);
});

test("an mwi event carrying the core indicator parses with the wire schema", () => {
  const profile = defaultProfile("alice");
  profile.mwi.supplemental.text = "back on Monday";
  const states = statesForProfile(profile, [], at);
  const client = profile.imClients[0];
  assert.ok(client);
  const event = { id: "m1", type: "mwi", ...indicatorFor(profile, client, states, 3, at) };
  const wire = JSON.parse(JSON.stringify(event));
  assert.deepEqual(mwiEventSchema.parse(wire), wire);
  assert.equal(wire.supplemental.text, "back on Monday");
});
