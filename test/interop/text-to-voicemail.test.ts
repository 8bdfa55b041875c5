// A mail to alice whose profile routes email → ["voicemail"] is spoken by the
// default TTS engine (flite-wasm) into her own voicemail box: a new message whose caller is
// the sender and whose audio is speech of plausible length.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { rms } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { until } from "../support/until.ts";

const swaksBin = peer("swaks", "swaks");
let t: TestApp;

before(async () => {
  if (swaksBin.skip) return;
  t = await startTestApp({});
  await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    password: "wonderland",
    routes: [{ from: "email", to: ["voicemail"] }],
  });
});

after(async () => {
  await t?.stop();
});

test("a mail routed to voicemail becomes a spoken message in alice's box", {
  skip: swaksBin.skip,
  timeout: 60_000,
}, async () => {
  const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "bob@example.net",
    "--to",
    "alice@example.com",
    "--header",
    "Subject: Invoice",
    "--body",
    "Please call me back about the invoice\n\n-- \nBob Example\nACME Widgets Ltd.",
  ]);
  assert.equal(lastReply(res.output), 250, res.output);

  const vm = await until("voicemail", async () => (await t.app.store.voicemail.list("alice"))[0], {
    timeoutMs: 20000,
    intervalMs: 100,
  });
  assert.equal(vm.ani, "bob@example.net", "the caller is the sender");
  assert.equal(vm.state, "new");
  assert.match(vm.transcript ?? "", /^Message from bob@example\.net, subject Invoice\./);
  assert.match(vm.transcript ?? "", /Please call me back about the invoice/);
  assert.doesNotMatch(vm.transcript ?? "", /ACME/, "the signature is not spoken");

  const blob = await t.app.store.audio.get(vm.audioId);
  assert.ok(blob);
  assert.equal(blob.contentType, "audio/wav");
  const wav = parseWav(blob.data);
  assert.equal(wav.sampleRate, 8000);
  const samples = wavToPcm16(wav);
  const seconds = samples.length / 8000;
  assert.ok(seconds >= 1.5 && seconds <= 10, `speech of ${seconds.toFixed(2)} s`);
  assert.ok(Math.abs(vm.durationMs - seconds * 1000) < 50, "the row's length is the audio's");
  const level = rms(samples);
  assert.ok(level > 300, `speech, not silence: rms ${level.toFixed(0)}`);

  // The REST mailbox lists it (MWI: src/adapters/voicemail/adapter.test.ts checks the hook).
  const token = await t.login("alice", "wonderland");
  const list = await t.api("GET", "/users/alice/voicemail", undefined, token);
  assert.equal((list.body as unknown[]).length, 1);

  // Delivered once: the communication's delivery to the box is done.
  assert.deepEqual(await t.deliveries("alice"), ["voicemail:alice delivered"]);
});
