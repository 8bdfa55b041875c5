// The web `message` event built from a rendition: a voicemail's signed audio link reaches the
// client as audioUrl, and a text message carries none.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { EmailCommunication, VoiceCommunication } from "../../core/communication.ts";
import { voiceToText } from "../../gateway/convert/voice.ts";
import { messageEvent } from "./outbound.ts";

const voicemail: VoiceCommunication = {
  id: "vm-1",
  kind: "voicemail",
  userId: "alice",
  direction: "inbound",
  from: { scheme: "tel", number: "+15550001" },
  to: { scheme: "tel", number: "+15559999" },
  receivedAt: new Date("2025-03-01T10:04:05Z"),
  thread: { threadId: "vm-1" },
  nativeRefs: [],
  warnings: [],
  body: { audioId: "rec-1", durationMs: 3000, transcript: "Hello" },
  ani: "+15550001",
};

test("a voicemail's message event carries its audio link, subject and transcript", () => {
  const links = { urlFor: (id: string) => `http://127.0.0.1:8080/api/v1/audio/${id}?exp=9&sig=s` };
  const event = messageEvent(voicemail, voiceToText(voicemail, links, "chat"), "d-7");
  assert.deepEqual(event, {
    id: "d-7",
    type: "message",
    communicationId: "vm-1",
    threadId: "vm-1",
    from: "+15550001",
    subject: "Voicemail from +15550001 (0:03)",
    text: "Voicemail from +15550001 (0:03)\nHello",
    audioUrl: "http://127.0.0.1:8080/api/v1/audio/rec-1?exp=9&sig=s",
    receivedAt: "2025-03-01T10:04:05.000Z",
  });
});

test("a text message event has no audioUrl", () => {
  const { ani: _ani, body: _body, kind: _kind, ...base } = voicemail;
  const email: EmailCommunication = { ...base, kind: "email", body: { text: "hi" } };
  const event = messageEvent(
    email,
    { medium: "text", subject: "", text: "hi", from: "bob", notes: [] },
    "d-8",
  );
  assert.equal("audioUrl" in event, false);
  assert.equal("subject" in event, false);
});
