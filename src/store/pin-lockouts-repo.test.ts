// The PIN lockout's store on both dialects: a record round-trips, is replaced, survives a reopen
// (a restart), is deleted, and goes with its user.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { PinLockout } from "../core/pin-lockout.ts";
import { defaultProfile } from "../core/profile.ts";

const T0 = 1_700_000_000_000;
const record = {
  failures: 3,
  windowStart: T0,
  strikes: 1,
  bannedUntil: T0 + 300_000,
  lastFailure: T0 + 5,
  callers: ["+15551234", "127.0.0.1"],
};

for (const dialect of await testDialects()) {
  describe(`pin lockouts (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
      await t.store.users.create(defaultProfile("alice"), {});
      await t.store.users.create(defaultProfile("bob"), {});
    });
    afterEach(() => t.cleanup());

    test("put, get, replace, delete", async () => {
      const repo = t.store.pinLockouts;
      assert.equal(await repo.get("alice"), undefined);
      await repo.put("alice", record);
      assert.deepEqual(await repo.get("alice"), record);
      await repo.put("alice", { ...record, failures: 0, strikes: 2, callers: [] });
      assert.deepEqual(await repo.get("alice"), {
        ...record,
        failures: 0,
        strikes: 2,
        callers: [],
      });
      assert.equal(await repo.get("bob"), undefined);
      await repo.delete("alice");
      assert.equal(await repo.get("alice"), undefined);
    });

    test("a lock survives a restart, and goes with its user", async () => {
      const rule = {
        maxFailures: 2,
        windowMs: 3600_000,
        banMs: 300_000,
        banFactor: 2,
        maxBanMs: 86_400_000,
        forgetMs: 86_400_000,
      };
      const clock = () => T0;
      const lockout = new PinLockout({ mailbox: rule, source: rule }, t.store.pinLockouts, clock);
      await lockout.fail("alice", { source: "a" });
      await lockout.fail("alice", { source: "b" });
      const store = await t.reopen();
      const after = new PinLockout({ mailbox: rule, source: rule }, store.pinLockouts, clock);
      assert.deepEqual(await after.check("alice", { source: "c" }), {
        locked: true,
        scope: "mailbox",
        until: new Date(T0 + 300_000),
      });
      await store.users.delete("alice");
      assert.equal(await store.pinLockouts.get("alice"), undefined);
    });
  });
}
