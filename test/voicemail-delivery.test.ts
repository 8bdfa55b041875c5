// Through the composition root: a stored voicemail goes out as mail with the WAV
// attached and a signed link naming the port HTTP actually bound, and that link — like the one
// the REST list gives — serves the recording without a token.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { VoiceCommunication } from "../src/core/communication.ts";
import { startTestApp, type TestApp } from "./support/harness.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";
import { testVoicemail } from "./support/store.ts";

const WAV = Uint8Array.from({ length: 2048 }, (_, i) => (i * 13) % 256);

let sink: SmtpSink;
let t: TestApp;

before(async () => {
  sink = await startSmtpSink();
  t = await startTestApp({ smtpOutPort: sink.port });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], password: "wonderland" });
});

after(async () => {
  await t?.stop();
  await sink?.close();
});

test("a voicemail is mailed with its recording attached and a working signed link", async () => {
  const { store } = t.app;
  await store.audio.put("rec-e2e", WAV, "audio/wav");
  const voicemail: VoiceCommunication = testVoicemail({
    id: "vm-e2e",
    body: { audioId: "rec-e2e", durationMs: 65_000 },
  });
  await store.communications.insertWithDeliveries(voicemail, [
    { target: "mailto:alice@example.com" },
  ]);

  const [mail] = await sink.waitFor(1, 10_000);
  assert.ok(mail);
  assert.equal(mail.parsed.subject, "Voicemail from Bob, +15550001 (1:05)");
  const [attachment] = mail.parsed.attachments;
  assert.equal(attachment?.filename, "voicemail-20250301-100405.wav");
  assert.deepEqual(new Uint8Array(attachment?.content ?? []), WAV);

  const port = t.app.ports.http?.port;
  const link = /Listen: (\S+)/.exec(mail.parsed.text ?? "")?.[1] ?? "";
  assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${port}/api/v1/audio/rec-e2e\\?exp=`));
  const audio = await fetch(link);
  assert.equal(audio.status, 200);
  assert.deepEqual(new Uint8Array(await audio.arrayBuffer()), WAV);
});

test("the REST list gives the same absolute signed links", async () => {
  await t.app.store.voicemail.insert({
    id: "m-e2e",
    userId: "alice",
    receivedAt: new Date(),
    durationMs: 3000,
    audioId: "rec-e2e",
    urgent: false,
    state: "new",
  });
  const token = await t.login("alice", "wonderland");
  const res = await t.api("GET", "/users/alice/voicemail", undefined, token);
  assert.equal(res.status, 200);
  const [item] = res.body as Array<{ audioUrl: string }>;
  assert.match(item?.audioUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/audio\/rec-e2e\?/);
  assert.equal((await fetch(item?.audioUrl ?? "")).status, 200);
});
