// A mail to alice whose profile routes email → ["pstn"] becomes a call
// to her registered phone — sipp answering as the phone — that plays the mail spoken by the
// default TTS engine: the phone is sent speech (not silence) of plausible length, and echoes it.
// A voice message posted to the API (base64 WAV) for her number is played on the phone too.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { pcm16ToWav } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";
import { lastReply, swaks } from "../support/swaks.ts";

const sipp = peer("sipp", "sip-tester");
const swaksBin = peer("swaks", "swaks");
const skip = sipp.skip ?? swaksBin.skip;
let t: TestApp;
let phone: SippPhone;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-call-"));
  t = await startTestApp({ sip: { listen: "127.0.0.1:0" } });
  const { sipSecret } = await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    routes: [{ from: "email", to: ["pstn"], voice: "en-us" }],
  });
  phone = await startSippPhone(sipp.path!, work);
  await phone.register(t.app.ports.sip!, "alice", sipSecret);
});

after(async () => {
  await t?.stop();
  await phone?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a mail routed to pstn rings alice's phone and plays the mail as speech", {
  skip,
  timeout: 90_000,
}, async () => {
  const answering = phone.answer(1, 60);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "bob@example.net",
    "--to",
    "alice@example.com",
    "--header",
    "Subject: Invoice",
    "--body",
    "Please call me back about the invoice",
  ]);
  assert.equal(lastReply(res.output), 250, res.output);

  const run = await answering;
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  const heard = phone.heard();
  const seconds = heard.length / 8000;
  // "Message from bob@example.net, subject Invoice. Please call me back about the invoice"
  assert.ok(seconds >= 2 && seconds <= 15, `the phone was sent ${seconds.toFixed(2)} s`);
  const level = rms(heard);
  assert.ok(level > 300, `speech, not silence: rms ${level.toFixed(0)}`);
  // sipp echoed what it got: the phone itself received the audio, not only the relay.
  assert.ok(phone.stats.echoes >= phone.stats.packets * 0.9, JSON.stringify(phone.stats));

  let states: string[] = [];
  for (let i = 0; i < 100; i++) {
    states = await t.deliveries("alice");
    if (states.every((s) => s.endsWith("delivered"))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(states, ["tel:+15550001 delivered"]);
});

test("a voice message posted to the API for a tel: target is played on that phone", {
  skip,
  timeout: 60_000,
}, async () => {
  const before = phone.heard().length;
  const answering = phone.answer(1, 40);
  await new Promise((r) => setTimeout(r, 500));
  // A quiet 16 kHz recording: converted to 8 kHz and raised to speech level on the way.
  const wav = pcm16ToWav(generateSweep(300, 3000, 2000, 16_000, 0.05), 16_000);
  const token = await t.login("alice", "wonderland");
  const res = await t.api(
    "POST",
    "/messages",
    { to: "tel:+15550001", audio: Buffer.from(wav).toString("base64") },
    token,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const run = await answering;
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  const heard = phone.heard().subarray(before);
  const seconds = heard.length / 8000;
  assert.ok(Math.abs(seconds - 2) < 0.3, `the phone was sent ${seconds.toFixed(2)} s`);
  assert.ok(rms(heard) > 2000, `raised to speech level: rms ${rms(heard).toFixed(0)}`);
});
