// The per-source PIN lock against the whole gateway with its default limits (docs/security.md
// "Voicemail PINs"): sipp calls from 127.0.0.2 key wrong PINs as RFC 4733 events until that
// source is locked (5, before the mailbox's 10); the right PIN from there is refused, while the
// owner calling from 127.0.0.1 gets in.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { callMailbox, depositMessage, mailboxKeys } from "../support/mailbox-calls.ts";
import { peer } from "../support/peers.ts";

const sipp = peer("sipp", "sip-tester");
const PIN = "864209";
let t: TestApp;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-pin-source-"));
  t = await startTestApp({
    rtpPortCount: 40,
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
    },
  });
  await t.addUser({ id: "carol", phones: ["+15550003"], pin: PIN });
});

after(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function states(): Promise<string[]> {
  return (await t.app.store.voicemail.list("carol")).map((m) => m.state);
}

test("a flood from one source locks that source first; the owner elsewhere still gets in", {
  skip: sipp.skip,
  timeout: 180_000,
}, async () => {
  const deposit = await depositMessage(sipp.path!, t, "15550003", work);
  assert.equal(deposit.code, 0, `sipp deposit failed:\n${deposit.errors}`);

  // Two calls from 127.0.0.2, three wrong PINs each: the fifth locks that source.
  const flood = await callMailbox(sipp.path!, t, {
    caller: "15550003",
    pcap: await mailboxKeys(work, "wrong", ["111111", "222222", "333333"]),
    work,
    calls: 2,
    parallel: 2,
    from: "127.0.0.2",
  });
  assert.equal(flood.code, 0, `sipp flood failed:\n${flood.errors}`);
  const record = await t.app.store.pinLockouts.get("carol");
  assert.ok(record && record.failures === 5, `5 wrong PINs counted: ${JSON.stringify(record)}`);
  assert.equal(record.bannedUntil, 0, "the mailbox itself is not locked");

  // The right PIN from the flooding source is refused (the message stays new); then from
  // 127.0.0.1 it opens the box and the message is saved.
  const refused = await callMailbox(sipp.path!, t, {
    caller: "15550003",
    pcap: await mailboxKeys(work, "right-2", [PIN], 4),
    work,
    from: "127.0.0.2",
  });
  assert.equal(refused.code, 0, `sipp call failed:\n${refused.errors}`);
  assert.deepEqual(await states(), ["new"], "the locked source did not get in with the right PIN");
  const owner = await callMailbox(sipp.path!, t, {
    caller: "15550003",
    pcap: await mailboxKeys(work, "right-1", [PIN], 4),
    work,
  });
  assert.equal(owner.code, 0, `sipp call failed:\n${owner.errors}`);
  assert.deepEqual(await states(), ["saved"], "the owner from another source got in");
});
