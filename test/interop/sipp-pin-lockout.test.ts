// Voicemail PIN brute force against the whole gateway (docs/security.md "Voicemail PINs"): sipp
// calls the mailbox access number many times in parallel and keys wrong PINs as RFC 4733
// telephone-events; 50 of them lock alice's box, the right PIN then does not open it, alice is
// told by mail and on her web client, and bob's box opens with his PIN all the while. A flood
// from one source address locks that source first, and the owner calling from another gets in.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";
import { writeDtmfPcap } from "../support/dtmf-pcap.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
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
  const base = 36_000 + Math.floor(Math.random() * 100) * 60;
  t = await startTestApp({
    smtpOutPort: sink.port,
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
      rtpPorts: `${base}-${base + 59}`,
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

/** The mailbox keys of one call: `pins`, then for a box that opened "2" (save) now and then. */
async function keysFile(name: string, pins: string[], saveTries = 0): Promise<string> {
  const path = join(work, `${name}.pcap`);
  await writeDtmfPcap(path, [
    { keys: pins.map((p) => `${p}#`).join(""), pauseMs: 300 },
    // One "2" lands while the first message plays, whatever the prompts before it take.
    ...Array.from({ length: saveTries }, () => ({ keys: "2", pauseMs: 2500 })),
    // "*" hangs up from the main menu (or leaves the message menu for it).
    ...(saveTries > 0 ? [{ keys: "*", pauseMs: 2500 }] : []),
  ]);
  return path;
}

function callMailbox(
  caller: string,
  pcap: string,
  dir: string,
  calls = 1,
  parallel = 1,
  opts: { app?: TestApp; from?: string } = {},
) {
  return runSipp(sipp.path!, (opts.app ?? t).app.ports.sip!, "mailbox-keys.xml", {
    service: "8000",
    keys: { caller },
    template: { pcap, bye_timeout_ms: "60000" },
    calls,
    // A later -i wins: calls from another loopback address are another source.
    extra: ["-l", String(parallel), ...(opts.from ? ["-i", opts.from] : [])],
    timeoutS: 90,
    workDir: dir,
  });
}

test("50 wrong PINs over parallel calls lock the box; the right PIN then fails; bob is unaffected", {
  skip: sipp.skip,
  timeout: 180_000,
}, async () => {
  // A message waits in each box.
  const audio = generateSweep(400, 2500, 1000, 8000, 0.5);
  const ulaw = new Uint8Array(audio.length);
  encodeUlaw(audio, ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const deposits = await Promise.all(
    ["15550001", "15550002"].map(async (service) => {
      const dir = await mkdtemp(join(work, `deposit-${service}-`));
      return runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
        service,
        keys: { caller: "15551234" },
        template: { audio: audioFile, audio_ms: "1300" },
        workDir: dir,
      });
    }),
  );
  for (const run of deposits) assert.equal(run.code, 0, `sipp deposit failed:\n${run.errors}`);
  assert.deepEqual(await states("alice"), ["new"]);
  assert.deepEqual(await states("bob"), ["new"]);

  web = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
  const mailsBefore = sink.mails.length;

  // 18 calls from alice's number, 9 at a time, three wrong PINs each: 54 tries for a limit of 50.
  const wrong = await keysFile("wrong", ["111111", "222222", "333333"]);
  const flood = await callMailbox("15550001", wrong, await mkdtemp(join(work, "flood-")), 18, 9);
  assert.equal(flood.code, 0, `sipp flood failed:\n${flood.errors}\n${flood.output.slice(-2000)}`);
  const lock = await t.app.store.pinLockouts.get("alice");
  assert.ok(lock, "alice's wrong PINs were counted");
  assert.equal(lock.strikes, 1, "the box was locked once");
  assert.ok(lock.bannedUntil > Date.now(), "and is locked now");
  assert.equal(await t.app.store.pinLockouts.get("bob"), undefined, "bob's box counted nothing");

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
    callMailbox(
      "15550001",
      await keysFile("alice-right", [ALICE_PIN], 4),
      await mkdtemp(join(work, "alice-")),
    ),
    callMailbox(
      "15550002",
      await keysFile("bob-right", [BOB_PIN], 4),
      await mkdtemp(join(work, "bob-")),
    ),
  ]);
  assert.equal(aliceRight.code, 0, `alice's call failed:\n${aliceRight.errors}`);
  assert.equal(bobRight.code, 0, `bob's call failed:\n${bobRight.errors}`);
  assert.deepEqual(await states("bob"), ["saved"], "bob's PIN opened his box");
  assert.deepEqual(await states("alice"), ["new"], "alice's right PIN did not open her locked box");
  const after = await t.app.store.pinLockouts.get("alice");
  assert.equal(after?.strikes, 1);
  assert.equal(after?.bannedUntil, lock.bannedUntil, "the lock is as it was");
});

test("a flood from one source locks that source first; the owner elsewhere still gets in", {
  skip: sipp.skip,
  timeout: 180_000,
}, async () => {
  const base = 40_000 + Math.floor(Math.random() * 100) * 40;
  const app = await startTestApp({
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
      rtpPorts: `${base}-${base + 39}`,
    },
    // The defaults: 5 wrong PINs lock a source, 10 a mailbox.
  });
  try {
    await app.addUser({ id: "carol", phones: ["+15550003"], pin: "864209" });
    const audio = generateSweep(400, 2500, 1000, 8000, 0.5);
    const ulaw = new Uint8Array(audio.length);
    encodeUlaw(audio, ulaw);
    const audioFile = join(work, "carol.ulaw");
    await writeFile(audioFile, ulaw);
    const deposit = await runSipp(sipp.path!, app.app.ports.sip!, "deposit.xml", {
      service: "15550003",
      keys: { caller: "15551234" },
      template: { audio: audioFile, audio_ms: "1300" },
      workDir: await mkdtemp(join(work, "carol-deposit-")),
    });
    assert.equal(deposit.code, 0, `sipp deposit failed:\n${deposit.errors}`);

    // Two calls from 127.0.0.2, three wrong PINs each: the fifth locks that source.
    const flood = await callMailbox(
      "15550003",
      await keysFile("carol-wrong", ["111111", "222222", "333333"]),
      await mkdtemp(join(work, "carol-flood-")),
      2,
      2,
      { app, from: "127.0.0.2" },
    );
    assert.equal(flood.code, 0, `sipp flood failed:\n${flood.errors}`);
    const record = await app.app.store.pinLockouts.get("carol");
    assert.ok(record && record.failures === 5, `5 wrong PINs counted: ${JSON.stringify(record)}`);
    assert.equal(record.bannedUntil, 0, "the mailbox itself is not locked");

    // The right PIN from the flooding source is refused (the message stays new); then from
    // 127.0.0.1 it opens the box and the message is saved.
    const refused = await callMailbox(
      "15550003",
      await keysFile("carol-right-2", ["864209"], 4),
      await mkdtemp(join(work, "carol-2-")),
      1,
      1,
      { app, from: "127.0.0.2" },
    );
    assert.equal(refused.code, 0, `sipp call failed:\n${refused.errors}`);
    assert.deepEqual(
      (await app.app.store.voicemail.list("carol")).map((m) => m.state),
      ["new"],
      "the locked source did not get in with the right PIN",
    );
    const owner = await callMailbox(
      "15550003",
      await keysFile("carol-right-1", ["864209"], 4),
      await mkdtemp(join(work, "carol-1-")),
      1,
      1,
      { app },
    );
    assert.equal(owner.code, 0, `sipp call failed:\n${owner.errors}`);
    assert.deepEqual(
      (await app.app.store.voicemail.list("carol")).map((m) => m.state),
      ["saved"],
      "the owner from another source got in",
    );
  } finally {
    await app.stop();
  }
});
