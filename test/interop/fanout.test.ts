// One mail to alice, routed email → ["im", "pstn", "voicemail"], reaches her
// web client, rings her phone (sipp) with the mail spoken, and is spoken into her voicemail box.
// With the phone down the other two are delivered without waiting for it, and the call is
// placed again by the outbox until the phone answers once it is back.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { rms } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const sipp = peer("sipp", "sip-tester");
const swaksBin = peer("swaks", "swaks");
const skip = sipp.skip ?? swaksBin.skip;
let t: TestApp;
let phone: SippPhone;
let client: TestWebClient;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-fanout-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    // The phone may stay away for many attempts; the outbox must keep trying, not give up.
    outbox: { maxAttempts: 1000 },
  });
  const { sipSecret } = await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    routes: [{ from: "email", to: ["im", "pstn", "voicemail"] }],
  });
  phone = await startSippPhone(sipp.path!, work);
  await phone.register(t.app.ports.sip!, "alice", sipSecret);
  client = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
});

after(async () => {
  await client?.close();
  await t?.stop();
  await phone?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function mail(subject: string, body: string): Promise<void> {
  const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "bob@example.net",
    "--to",
    "alice@example.com",
    "--header",
    `Subject: ${subject}`,
    "--body",
    body,
  ]);
  assert.equal(lastReply(res.output), 250, res.output);
}

/** target → state of the deliveries of the communication with this subject. */
async function states(subject: string): Promise<Record<string, string>> {
  const res = await t.api("GET", "/communications?userId=alice");
  const list = res.body as Array<{
    subject?: string;
    deliveries: Array<{ target: string; state: string }>;
  }>;
  const c = list.find((x) => x.subject === subject);
  return Object.fromEntries((c?.deliveries ?? []).map((d) => [d.target, d.state]));
}

const TARGETS = ["web:alice/web", "tel:+15550001", "voicemail:alice"];

async function inBox(subject: string) {
  const list = await t.app.store.voicemail.list("alice");
  return list.find((v) => v.transcript?.includes(`subject ${subject}.`));
}

test("one mail reaches the web client, the phone and the voicemail box", {
  skip,
  timeout: 120_000,
}, async () => {
  const answering = phone.answer(1, 60);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  await mail("Lunch", "Are you free for lunch tomorrow at noon?");
  const event = await client.waitFor((e) => e.type === "message" && e.subject === "Lunch", 30_000);
  assert.match(String(event.text), /lunch tomorrow/);
  const vm = await until("the voicemail", () => inBox("Lunch"), {
    timeoutMs: 60000,
    intervalMs: 100,
  });
  assert.match(vm.transcript ?? "", /Are you free for lunch/);
  const run = await answering;
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  assert.ok(rms(phone.heard()) > 300, "the phone was sent speech");
  const done = await until(
    "three deliveries",
    async () => {
      const s = await states("Lunch");
      return TARGETS.every((k) => s[k] === "delivered") ? s : undefined;
    },
    { timeoutMs: 60000, intervalMs: 100 },
  );
  assert.deepEqual(Object.keys(done).sort(), [...TARGETS].sort());
});

test("with the phone down the other two arrive; the call follows once the phone is back", {
  skip,
  timeout: 150_000,
}, async () => {
  const before = phone.heard().length;
  await mail("Invoice", "Please call me back about the invoice.");
  // The web client and the box get theirs while the phone cannot answer at all.
  await client.waitFor((e) => e.type === "message" && e.subject === "Invoice", 30_000);
  await until("the voicemail", () => inBox("Invoice"), { timeoutMs: 60_000, intervalMs: 100 });
  const meanwhile = await until(
    "web and voicemail deliveries",
    async () => {
      const s = await states("Invoice");
      return s["web:alice/web"] === "delivered" && s["voicemail:alice"] === "delivered"
        ? s
        : undefined;
    },
    { timeoutMs: 60000, intervalMs: 100 },
  );
  assert.notEqual(meanwhile["tel:+15550001"], "delivered", "the phone was not there to answer");
  assert.notEqual(meanwhile["tel:+15550001"], "failed", "a phone away is retried, not failed");

  // The phone comes back: the call the outbox keeps placing is answered and played.
  const run = await phone.answer(1, 90);
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  const heard = phone.heard().subarray(before);
  assert.ok(heard.length / 8000 >= 2, `the phone was sent ${heard.length / 8000} s`);
  assert.ok(rms(heard) > 300, "speech, not silence");
  await until(
    "the call's delivery",
    async () => {
      const s = await states("Invoice");
      return TARGETS.every((k) => s[k] === "delivered") ? s : undefined;
    },
    { timeoutMs: 60000, intervalMs: 100 },
  );
  // Shown once: one message per mail at the web client, one box message per mail.
  const shown = client.events.filter((e) => e.type === "message");
  assert.deepEqual(shown.map((e) => e.subject).sort(), ["Invoice", "Lunch"]);
  assert.equal((await t.app.store.voicemail.list("alice")).length, 2);
});
