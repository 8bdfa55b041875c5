// Sipp (scenario test/interop/sipp/deposit.xml, streaming G.711 audio the test
// generates) calls alice: one voicemail of the right length whose audio matches what was sent
// (cross-correlation of the decoded samples), an email with the audio attached at an SMTP sink,
// and a `message` on alice's web client.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { crossCorrelate } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { sippDeposit } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const sipp = peer("sipp", "sip-tester");
const AUDIO_MS = 3000;
let sink: SmtpSink;
let t: TestApp;
let work: string;
let client: TestWebClient;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-sipp-"));
  sink = await startSmtpSink();
  t = await startTestApp({
    smtpOutPort: sink.port,
    sip: { listen: "127.0.0.1:0" },
  });
  await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    pin: "123456",
  });
  client = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
});

after(async () => {
  await client?.close();
  await t?.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a sipp call leaves a voicemail that matches the audio sent, mailed and shown", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const { heard } = await sippDeposit(sipp.path!, t.app.ports.sip!, {
    ms: AUDIO_MS,
    workDir: work,
  });

  // The message is durable before the 200 OK to BYE, so it is there as soon as sipp is done.
  const messages = await t.app.store.voicemail.list("alice");
  assert.equal(messages.length, 1);
  const vm = messages[0]!;
  assert.equal(vm.ani, "15551234");
  assert.ok(
    Math.abs(vm.durationMs - AUDIO_MS) <= 300,
    `duration ${vm.durationMs} ms, sent ${AUDIO_MS} ms`,
  );
  const blob = await t.app.store.audio.get(vm.audioId);
  assert.ok(blob);
  const recorded = wavToPcm16(parseWav(blob.data));
  const match = crossCorrelate(heard, recorded, 4000);
  assert.ok(
    match.coefficient > 0.9,
    `cross-correlation ${match.coefficient.toFixed(3)} at lag ${match.lag}`,
  );

  const event = await client.waitFor(
    (e) => e.type === "message" && e.communicationId === vm.communicationId,
  );
  assert.match(String(event.text), /15551234/);
  assert.match(String(event.audioUrl), /^http/);

  const [mail] = await sink.waitFor(1);
  assert.deepEqual(mail?.to, ["alice@example.com"]);
  // The caller's name (sipp's From display name) and number, in the subject and the text.
  assert.match(mail?.parsed.subject ?? "", /Voicemail from Sipp Caller, 15551234/);
  assert.match(mail?.parsed.text ?? "", /From: +Sipp Caller <15551234>/);
  const attachment = mail?.parsed.attachments.find((a) => a.contentType === "audio/wav");
  assert.ok(attachment, "the voicemail is attached as WAV");
  assert.equal(attachment.content.length, blob.data.length);
});
