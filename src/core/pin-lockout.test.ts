import assert from "node:assert/strict";
import { test } from "node:test";
import { PinLockout, type PinLockRecord, type PinLockStore } from "./pin-lockout.ts";

class MemoryLockStore implements PinLockStore {
  readonly records = new Map<string, PinLockRecord>();
  async get(mailbox: string) {
    const r = this.records.get(mailbox);
    return r ? structuredClone(r) : undefined;
  }
  async put(mailbox: string, record: PinLockRecord) {
    this.records.set(mailbox, structuredClone(record));
  }
  async delete(mailbox: string) {
    this.records.delete(mailbox);
  }
}

const MIN = 60_000;
const rule = (maxFailures: number) => ({
  maxFailures,
  windowMs: 60 * MIN,
  banMs: 5 * MIN,
  banFactor: 2,
  maxBanMs: 24 * 60 * MIN,
  forgetMs: 24 * 60 * MIN,
});

function setup(mailboxMax = 10, sourceMax = 1000) {
  let now = 1_000_000;
  const store = new MemoryLockStore();
  const lockout = new PinLockout(
    { mailbox: rule(mailboxMax), source: rule(sourceMax) },
    store,
    () => now,
  );
  return {
    lockout,
    store,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

test("a mailbox locks after N wrong PINs from many sources, for 5 min, then 10, 20 …", async () => {
  const { lockout, advance, now } = setup(10);
  for (let i = 0; i < 9; i++) {
    const f = await lockout.fail("alice", { source: `10.0.0.${i}`, caller: `+1555000${i}` });
    assert.equal(f.check.locked, false);
    assert.equal(f.lockedNow, undefined);
  }
  const tenth = await lockout.fail("alice", { source: "10.0.0.9" });
  assert.deepEqual(tenth.check, {
    locked: true,
    scope: "mailbox",
    until: new Date(now() + 5 * MIN),
  });
  assert.equal(tenth.lockedNow?.failures, 10);
  assert.equal(tenth.lockedNow?.callers.length, 10);
  assert.ok(tenth.lockedNow?.callers.includes("+15550003"));
  assert.ok(
    tenth.lockedNow?.callers.includes("10.0.0.9"),
    "a call without a number is named by source",
  );
  // Any source, any caller: locked.
  assert.equal((await lockout.check("alice", { source: "192.0.2.1" })).locked, true);
  assert.equal((await lockout.check("bob", { source: "10.0.0.1" })).locked, false);

  advance(5 * MIN);
  assert.equal((await lockout.check("alice", { source: "192.0.2.1" })).locked, false);
  let second: Awaited<ReturnType<PinLockout["fail"]>> | undefined;
  for (let i = 0; i < 10; i++) second = await lockout.fail("alice", { source: "10.0.0.1" });
  assert.deepEqual(second?.check, {
    locked: true,
    scope: "mailbox",
    until: new Date(now() + 10 * MIN),
  });
  advance(10 * MIN);
  for (let i = 0; i < 10; i++) second = await lockout.fail("alice", { source: "10.0.0.1" });
  assert.equal(second?.lockedNow?.until.getTime(), now() + 20 * MIN);
});

test("the ban doubles up to the cap of 24 h", async () => {
  const { lockout, advance, now } = setup(1);
  const lengths: number[] = [];
  for (let strike = 0; strike < 10; strike++) {
    const f = await lockout.fail("alice", { source: "s" });
    const until = f.lockedNow!.until.getTime();
    lengths.push((until - now()) / MIN);
    advance(until - now());
  }
  assert.deepEqual(lengths, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440]);
});

test("parallel failures are all counted (no lost update)", async () => {
  const { lockout, store } = setup(50);
  const results = await Promise.all(
    Array.from({ length: 49 }, (_, i) => lockout.fail("alice", { source: `s${i % 8}` })),
  );
  assert.ok(results.every((r) => !r.check.locked));
  assert.equal(store.records.get("alice")?.failures, 49);
  const fiftieth = await lockout.fail("alice", { source: "s0" });
  assert.equal(fiftieth.check.locked, true);
  assert.ok(fiftieth.lockedNow, "exactly this failure reports the lock");
});

test("the lock is read from the store: a new instance (a restart) still sees it", async () => {
  const { lockout, store, now } = setup(3);
  for (let i = 0; i < 3; i++) await lockout.fail("alice", { source: "s" });
  const restarted = new PinLockout({ mailbox: rule(3), source: rule(1000) }, store, now);
  assert.equal((await restarted.check("alice", { source: "other" })).locked, true);
});

test("a flood from one source locks that source first; others still reach the mailbox", async () => {
  const { lockout } = setup(10, 5);
  let f: Awaited<ReturnType<PinLockout["fail"]>> | undefined;
  for (let i = 0; i < 5; i++) f = await lockout.fail("alice", { source: "203.0.113.9" });
  assert.equal(f?.check.locked, true);
  assert.equal(f?.check.locked && f.check.scope, "source");
  assert.ok(f?.sourceLockedNow);
  assert.equal(f?.lockedNow, undefined);
  assert.equal((await lockout.check("alice", { source: "203.0.113.9" })).locked, true);
  assert.equal((await lockout.check("alice", { source: "198.51.100.1" })).locked, false);
});

test("a window with no further failure starts afresh; a right PIN keeps the mailbox count", async () => {
  const { lockout, advance, store } = setup(3);
  await lockout.fail("alice", { source: "s" });
  await lockout.fail("alice", { source: "s" });
  lockout.succeed("alice", { source: "s" });
  assert.equal(store.records.get("alice")?.failures, 2);
  advance(61 * MIN);
  const f = await lockout.fail("alice", { source: "s" });
  assert.equal(f.check.locked, false);
  assert.equal(store.records.get("alice")?.failures, 1);
  advance(25 * 60 * MIN);
  assert.equal((await lockout.check("alice", { source: "s" })).locked, false);
  assert.equal(store.records.has("alice"), false, "a forgotten record is deleted");
});
