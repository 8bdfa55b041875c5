// Alice's python3-slixmpp client sends a chat through Prosody 0.12 to
// `+15551234@<component>`; omnivox places a call to that number — bob's phone, sipp registered
// as bob and answering (test/support/sipp-phone.ts) — and plays the text spoken by the default
// TTS engine: the phone is sent speech of plausible length, and echoes it.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { rms } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";

const prosodyBin = peer("prosody", "prosody");
const sipp = peer("sipp", "sip-tester");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? sipp.skip ?? python.skip;

let prosody: Prosody;
let alice: SlixmppClient;
let phone: SippPhone;
let t: TestApp;
let work: string;

before(async () => {
  if (skip || !prosodyBin.path) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-xmpp-phone-"));
  prosody = await Prosody.start(prosodyBin.path, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  alice = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `alice@${prosody.domain}`,
    password: "alice-pw",
    port: prosody.c2sPort,
  });
  await alice.autoApprove(true);
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    xmpp: {
      server: `127.0.0.1:${prosody.componentPort}`,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
    },
  });
  await t.addUser({
    id: "alice",
    imClients: [{ id: "chat", kind: "xmpp", jid: `alice@${prosody.domain}` }],
  });
  const { sipSecret } = await t.addUser({
    id: "bob",
    phones: ["+15551234"],
    password: "bob-web-pw",
  });
  phone = await startSippPhone(sipp.path!, work);
  await phone.register(t.app.ports.sip!, "bob", sipSecret);
});

after(async () => {
  await alice?.quit();
  await t?.stop();
  await phone?.close();
  await prosody?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a chat to +15551234@<component> calls that number and speaks the text", {
  skip,
  timeout: 90_000,
}, async () => {
  const answering = phone.answer(1, 60);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  await alice.send(
    `+15551234@${prosody.componentDomain}`,
    "Running late, I will be there at half past seven.",
  );
  const run = await answering;
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  const heard = phone.heard();
  const seconds = heard.length / 8000;
  assert.ok(seconds >= 2 && seconds <= 20, `the phone was sent ${seconds.toFixed(2)} s`);
  const level = rms(heard);
  assert.ok(level > 300, `speech, not silence: rms ${level.toFixed(0)}`);
  // sipp echoed what it got: the phone itself received the audio, not only the relay
  assert.ok(phone.stats.echoes >= phone.stats.packets * 0.9, JSON.stringify(phone.stats));
  let states: string[] = [];
  for (let i = 0; i < 100; i++) {
    states = await t.deliveries("alice");
    if (states.length > 0 && states.every((s) => s.endsWith("delivered"))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(states, ["tel:+15551234 delivered"]);
});

test("a chat to a number nobody has is refused by the gateway, not called", {
  skip,
}, async () => {
  await alice.send(`+15559999@${prosody.componentDomain}`, "Anyone there?");
  let states: string[] = [];
  for (let i = 0; i < 100; i++) {
    states = await t.deliveries("alice");
    if (states.some((s) => /^tel:\+15559999 (failed|delivered)$/.test(s))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(states.includes("tel:+15559999 failed"), JSON.stringify(states));
});
