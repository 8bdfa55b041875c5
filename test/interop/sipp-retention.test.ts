// Retention end to end: sipp leaves alice one voicemail; the gateway's own sweep (a short
// voicemail.retentionSweepMs) keeps it while it is young, and once its received time lies past
// voicemail.retentionDays it goes with its audio file, and MWI follows — GET /mwi, the web
// client's indicator and a subscribed phone's lamp (RFC 3842 NOTIFY) go from 1 new to 0.

import assert from "node:assert/strict";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import SqliteDatabase from "better-sqlite3";
import { SQLITE_FILE } from "../../src/store/open.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { depositMessage } from "../support/mailbox-calls.ts";
import { peer } from "../support/peers.ts";
import { TestPhone } from "../support/sip-test-phone.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const sipp = peer("sipp", "sip-tester");
const SWEEP_MS = 200;
let t: TestApp;
let work: string;
let client: TestWebClient;
let phone: TestPhone;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-retention-"));
  t = await startTestApp({ voicemail: { retentionDays: 30, retentionSweepMs: SWEEP_MS } });
  const { sipSecret } = await t.addUser({
    id: "alice",
    phones: ["+15550001"],
    password: "wonderland",
  });
  client = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
  const sip = { ...t.app.ports.sip!, transport: "udp" as const };
  phone = new TestPhone("alice", sipSecret, sip, t.app.config.sip.domain);
  await phone.start();
});

after(async () => {
  await client?.close();
  await phone?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const newCount = async (): Promise<number> => {
  const res = await t.api("GET", "/users/alice/mwi");
  return (res.body as { total: { new: number } }).total.new;
};

test("an expired voicemail is swept with its audio; the indicator and the phone lamp go from 1 to 0", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const sub = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "600"],
  ]);
  assert.equal(sub.final.status, 200);
  await phone.waitNotifies(1);
  assert.deepEqual(phone.lamps(), ["0"], "dark before the deposit");

  const run = await depositMessage(sipp.path!, t, "15550001", work);
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  const [vm] = await t.app.store.voicemail.list("alice");
  assert.ok(vm, "the deposit is stored");
  await until("mwi shows 1 new", async () => ((await newCount()) === 1 ? true : undefined));
  const lit = await client.waitFor(
    (e) => e.type === "mwi" && (e.total as { new: number }).new === 1,
  );
  await until("the phone lamp lit", async () => (phone.lamps().at(-1) === "1" ? true : undefined));
  const audioFile = join(t.dataDir, "audio", `${vm.audioId}.wav`);
  await access(audioFile);

  // Several sweeps pass over a message received just now: it is young, so it stays.
  await sleep(SWEEP_MS * 5);
  assert.equal((await t.app.store.voicemail.list("alice")).length, 1);
  assert.equal(await newCount(), 1);

  // Its received time is moved 31 days back, as if it had waited that long.
  const db = new SqliteDatabase(join(t.dataDir, SQLITE_FILE));
  try {
    db.pragma("busy_timeout = 5000");
    const moved = db
      .prepare("update voicemail_messages set received_at = ? where id = ?")
      .run(Date.now() - 31 * 24 * 3600_000, vm.id);
    assert.equal(moved.changes, 1);
  } finally {
    db.close();
  }

  await until(
    "the message is swept",
    async () => ((await t.app.store.voicemail.list("alice")).length === 0 ? true : undefined),
    { timeoutMs: 15_000 },
  );
  // The row goes first, then its audio (store/voicemail-delete.ts): the row is seen gone as soon
  // as its delete commits, a moment before the file is removed.
  await until(
    "its audio file is removed",
    async () =>
      (await access(audioFile).then(
        () => false,
        () => true,
      ))
        ? true
        : undefined,
    { timeoutMs: 5_000 },
  );
  await assert.rejects(access(audioFile), { code: "ENOENT" });
  assert.equal(await t.app.store.audio.get(vm.audioId), undefined);
  await until("mwi shows 0 new", async () => ((await newCount()) === 0 ? true : undefined));
  const dark = await client.waitFor(
    (e) =>
      e.type === "mwi" &&
      (e.total as { new: number }).new === 0 &&
      Number(e.version) > Number(lit.version),
  );
  assert.deepEqual(dark.total, { new: 0, old: 0, urgentNew: 0, urgentOld: 0 });
  await until("the phone lamp off", async () => (phone.lamps().at(-1) === "0" ? true : undefined));
  assert.match(phone.notifies.at(-1)?.body.toString() ?? "", /Messages-Waiting:\s*no/i);
  const list = await t.api("GET", "/users/alice/voicemail");
  assert.deepEqual(list.body, []);
});
