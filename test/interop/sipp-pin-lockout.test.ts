// Voicemail PIN brute force against the whole gateway (docs/security.md "Voicemail PINs"): sipp
// calls the mailbox access number many times in parallel and keys wrong PINs as RFC 4733
// telephone-events; 50 of them lock alice's box, the right PIN then does not open it, alice is
// told by mail and on her web client, and bob's box opens with his PIN all the while.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { callMailbox, depositMessage, mailboxKeys } from "../support/mailbox-calls.ts";
import { peer } from "../support/peers.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const sipp = peer("sipp", "sip-tester");
const ALICE_PIN = "135790";
const BOB_PIN = "246802";
/** Wrong PINs that lock a box in this test (the default is 10 within an hour). */
const LIMIT = 50;
let t: TestApp;
let sink: SmtpSink;
let web: TestWebClient | undefined;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-pin-lockout-"));
  sink = await startSmtpSink();
  t = await startTestApp({
    rtpPortCount: 60,
    smtpOutPort: sink.port,
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
    },
    voicemail: {
      pinLockout: { maxFailures: LIMIT },
      // Every sipp call comes from 127.0.0.1: the per-source lock must not step in first here.
      pinSourceLockout: { maxFailures: 100_000 },
    },
  });
  await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    pin: ALICE_PIN,
  });
  await t.addUser({
    id: "bob",
    emails: ["bob@example.com"],
    phones: ["+15550002"],
    password: "bobthebuilder",
    pin: BOB_PIN,
  });
});

after(async () => {
  await web?.close();
  await t?.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function states(userId: string): Promise<string[]> {
  return (await t.app.store.voicemail.list(userId)).map((m) => m.state);
}

test("50 wrong PINs over parallel calls lock the box; the right PIN then fails; bob is unaffected", {
  skip: sipp.skip,
  timeout: 180_000,
}, async () => {
  // A message waits in each box.
  const deposits = await Promise.all(
    ["15550001", "15550002"].map((n) => depositMessage(sipp.path!, t, n, work)),
  );
  for (const run of deposits) assert.equal(run.code, 0, `sipp deposit failed:\n${run.errors}`);
  assert.deepEqual(await states("alice"), ["new"]);
  assert.deepEqual(await states("bob"), ["new"]);

  web = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
  const mailsBefore = sink.mails.length;

  // 18 calls from alice's number, 9 at a time, three wrong PINs each: 54 tries for a limit of 50.
  const flood = await callMailbox(sipp.path!, t, {
    caller: "15550001",
    pcap: await mailboxKeys(work, "wrong", ["111111", "222222", "333333"]),
    work,
    calls: 18,
    parallel: 9,
  });
  assert.equal(flood.code, 0, `sipp flood failed:\n${flood.errors}\n${flood.output.slice(-2000)}`);
  const lock = await t.app.store.pinLockouts.get("alice");
  assert.ok(lock, "alice's wrong PINs were counted");
  assert.equal(lock.strikes, 1, "the box was locked once");
  assert.ok(lock.bannedUntil > Date.now(), "and is locked now");
  assert.equal(await t.app.store.pinLockouts.get("bob"), undefined, "bob's box counted nothing");
  const metrics = await (await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`)).text();
  assert.match(metrics, /omnivox_throttled_total\{listener="mailbox",reason="pin-mailbox"\} 1\b/);

  // Alice is told on her web client and by mail, from the system sender, never with a PIN.
  const until = new Date(lock.bannedUntil).toISOString();
  const notice = await web.waitFor(
    (e) => e.type === "message" && /voicemail box was locked/.test(String(e.text)),
    20_000,
  );
  assert.match(
    String(notice.text),
    new RegExp(`locked after ${LIMIT} wrong PINs from \\+?15550001; it unlocks at ${until}`),
  );
  const mails = await sink.waitFor(mailsBefore + 1, 20_000);
  const mail = mails.slice(mailsBefore).find((m) => /locked/.test(m.parsed.subject ?? ""));
  assert.ok(mail, `no lock notice among ${mails.map((m) => m.parsed.subject).join(", ")}`);
  assert.deepEqual(mail.to, ["alice@example.com"]);
  assert.match(mail.parsed.text ?? "", /it unlocks at/);
  for (const text of [String(notice.text), mail.parsed.text ?? ""]) {
    for (const pin of ["111111", "222222", "333333", ALICE_PIN]) assert.ok(!text.includes(pin));
  }

  // Now the right PINs, both keyed with "2" (save) afterwards: alice's box stays shut, bob's
  // opens and his message is saved (which also shows that this way of checking can fail).
  const [aliceRight, bobRight] = await Promise.all([
    callMailbox(sipp.path!, t, {
      caller: "15550001",
      pcap: await mailboxKeys(work, "alice-right", [ALICE_PIN], 4),
      work,
    }),
    callMailbox(sipp.path!, t, {
      caller: "15550002",
      pcap: await mailboxKeys(work, "bob-right", [BOB_PIN], 4),
      work,
    }),
  ]);
  assert.equal(aliceRight.code, 0, `alice's call failed:\n${aliceRight.errors}`);
  assert.equal(bobRight.code, 0, `bob's call failed:\n${bobRight.errors}`);
  assert.deepEqual(await states("bob"), ["saved"], "bob's PIN opened his box");
  assert.deepEqual(await states("alice"), ["new"], "alice's right PIN did not open her locked box");
  const after = await t.app.store.pinLockouts.get("alice");
  assert.equal(after?.strikes, 1);
  assert.equal(after?.bannedUntil, lock.bannedUntil, "the lock is as it was");
});
