// Session timers (RFC 4028) against sipp: a caller asking for Session-Expires: 90;refresher=uac
// gets it back with Require: timer, refreshes with a re-INVITE and an UPDATE (200 each, with the
// new interval); an interval below 90 s gets 422 with Min-SE; with refresher=uas omnivox sends
// the refreshing UPDATE itself at half the interval.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const sipp = peer("sipp", "sip-tester");
let t: TestApp;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-session-timer-"));
  t = await startTestApp({ sip: { listen: "127.0.0.1:0" } });
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" });
});

after(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("Session-Expires is honoured: 2xx with the interval and Require: timer; refreshes get 200", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(work, "ok-"));
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "session-timer.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    workDir: dir,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
});

test("too small a session interval gets 422 with Min-SE: 90", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(work, "small-"));
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "session-timer-small.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    workDir: dir,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  assert.equal((await t.app.store.voicemail.list("alice")).length, 0);
});

test("refresher=uas: omnivox refreshes with an UPDATE at half the interval", {
  skip: sipp.skip,
  timeout: 150_000,
}, async () => {
  // The call has to outlive 45 s of a caller who sends no RTP: neither silence nor the RTP
  // timeout may end it first.
  const app = await startTestApp({
    sip: { listen: "127.0.0.1:0", rtpTimeoutMs: 120_000 },
    voicemail: { silenceMs: 120_000 },
  });
  const dir = await mkdtemp(join(work, "uas-"));
  try {
    await app.addUser({
      id: "alice",
      phones: ["+15550001"],
      password: "wonderland",
      pin: "123456",
    });
    const run = await runSipp(sipp.path!, app.app.ports.sip!, "session-timer-uas.xml", {
      service: "15550001",
      keys: { caller: "15551234" },
      timeoutS: 100,
      workDir: dir,
    });
    assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  } finally {
    await app.stop();
  }
});
