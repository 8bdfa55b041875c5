// Two lines behind one address: ONE baresip process holds alice's and bob's accounts, so both
// register from the same address and port. Bob's line calling alice's number leaves a message in
// alice's box (and the other way round); alice's line calling her own number is challenged
// (407), answers with her password and reaches her mailbox; sipp claiming to be alice without
// credentials gets the 407 and nothing else (README "Who is calling").

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep } from "../../src/media/pcm.ts";
import { pcm16ToWav } from "../../src/media/wav.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { until } from "../support/until.ts";

const baresipBin = peer("baresip", "baresip");
const sipp = peer("sipp", "sip-tester");
const skip = baresipBin.skip ?? sipp.skip;
let t: TestApp;
let phone: Baresip | undefined;
let work: string;
/** The SIP secrets the lines register with (from the users' creation, not their web passwords). */
const sip = { alice: "", bob: "" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-two-lines-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0", domain: "127.0.0.1" },
  });
  sip.alice = (
    await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" })
  ).sipSecret;
  sip.bob = (
    await t.addUser({ id: "bob", phones: ["+15550002"], password: "bobthebuilder", pin: "654321" })
  ).sipSecret;
});

after(async () => {
  await phone?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Waits for `pattern` in what baresip printed after `from`. */
async function printedAfter(from: number, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(phone!.output().slice(from))) {
    if (Date.now() > until)
      throw new Error(
        `baresip did not print ${pattern}:\n${phone!.output().slice(from, from + 4000)}`,
      );
    await sleep(100);
  }
}

/** Dials `number` from the account `user` of the one baresip. */
async function dialFrom(user: string, number: string): Promise<number> {
  const from = phone!.output().length;
  phone!.command(`/uafind sip:${user}@127.0.0.1`);
  await sleep(300);
  phone!.command(`/dial sip:${number}@127.0.0.1:${t.app.ports.sip!.port}`);
  await printedAfter(from, /Call established/i);
  return from;
}

async function deposit(user: string, number: string): Promise<void> {
  await dialFrom(user, number);
  await sleep(800);
  phone!.command("#"); // skip the greeting (RFC 4733)
  await sleep(3500); // speak after the beep
  phone!.command("b");
}

test("two lines of one phone: each call to the other is a deposit, the owner's own a mailbox", {
  skip,
  timeout: 180_000,
}, async () => {
  // The microphone: a sweep, loud enough to be kept as a message.
  const mic = join(work, "mic.wav");
  await writeFile(mic, pcm16ToWav(generateSweep(300, 3000, 60_000, 8000, 0.4), 8000));
  const outbound = { host: "127.0.0.1", port: t.app.ports.sip!.port };
  phone = await startBaresip({
    binary: baresipBin.path!,
    account: { user: "alice", domain: "127.0.0.1", password: sip.alice, outbound, mwi: false },
    moreAccounts: [{ user: "bob", domain: "127.0.0.1", password: sip.bob, outbound, mwi: false }],
    audioSource: `aufile,${mic}`,
    sipTrace: true, // the test reads the 407 and the answer to it
  });
  await phone.waitFor(/alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/, 15_000);
  await phone.waitFor(/bob@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/, 15_000);
  // One process, one sip_listen: both lines register from the same address and port, the
  // case an address cannot tell apart.

  // Bob's line calls alice's number: a message in alice's box, from bob.
  const bobsCall = phone.output().length;
  await deposit("bob", "+15550001");
  assert.doesNotMatch(phone.output().slice(bobsCall), /SIP\/2\.0 407 /, "bob is not challenged");
  await until(
    "bob's message in alice's box",
    async () => {
      return (await t.app.store.voicemail.list("alice")).length === 1;
    },
    { timeoutMs: 30000, intervalMs: 100 },
  );
  const [forAlice] = await t.app.store.voicemail.list("alice");
  assert.equal(forAlice?.ani, "bob");
  assert.equal(forAlice?.state, "new");

  // Alice's line calls bob's number: a message in bob's box, from alice.
  await deposit("alice", "+15550002");
  await until(
    "alice's message in bob's box",
    async () => {
      return (await t.app.store.voicemail.list("bob")).length === 1;
    },
    { timeoutMs: 30000, intervalMs: 100 },
  );
  assert.equal((await t.app.store.voicemail.list("bob"))[0]?.ani, "alice");

  // Alice's line calls her own number: challenged, authenticated, her mailbox. The PIN is
  // still asked; 2 saves the message bob left (keys pressed until it is saved).
  const own = await dialFrom("alice", "+15550001");
  const trace = phone.output().slice(own);
  assert.match(trace, /SIP\/2\.0 407 /, "the call claiming alice was challenged");
  assert.match(trace, /Proxy-Authorization: Digest username="alice"/i);
  await sleep(2000);
  for (const key of "123456#") {
    phone.command(key);
    await sleep(250);
  }
  await until(
    "alice saving bob's message from her mailbox",
    async () => {
      phone!.command("2");
      return (await t.app.store.voicemail.list("alice"))[0]?.state === "saved";
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  phone.command("b");
  const aliceBox = await t.app.store.voicemail.list("alice");
  assert.equal(aliceBox.length, 1, "her own call left no message in her box");
});

test("sipp claiming to be alice without credentials gets 407, never the mailbox", {
  skip,
  timeout: 60_000,
}, async () => {
  const before = (await t.app.store.voicemail.list("alice")).map((m) => `${m.id} ${m.state}`);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "spoof-owner.xml", {
    service: "+15550001",
    keys: { caller: "alice" },
    workDir: work,
  });
  assert.equal(
    run.code,
    0,
    `sipp did not get the 407 challenge:\n${run.errors}\n${run.output.slice(-2000)}`,
  );
  const afterCall = (await t.app.store.voicemail.list("alice")).map((m) => `${m.id} ${m.state}`);
  assert.deepEqual(afterCall, before);
});
