// UsersRepo on both dialects: CRUD, case-insensitive email lookup, and conflicts by id, email
// and phone.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import { defaultProfile, type Profile } from "../core/profile.ts";

function profile(id: string, emails: string[] = [], phones: string[] = []): Profile {
  return { ...defaultProfile(id, id.toUpperCase()), emails, phones };
}

for (const dialect of await testDialects()) {
  describe(`users (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("create, get, list, lookups", async () => {
      const rec = await t.store.users.create(
        profile("alice", ["Alice@Example.COM"], ["+15551000"]),
        {
          passwordHash: "scrypt$x",
        },
      );
      assert.deepEqual(rec.profile.emails, ["alice@example.com"]);
      assert.equal(rec.secrets.passwordHash, "scrypt$x");
      assert.equal(rec.secrets.pinHash, undefined);
      assert.ok(rec.createdAt instanceof Date);
      await t.store.users.create(profile("bob"), {});

      const got = await t.store.users.get("alice");
      assert.deepEqual(got?.profile, rec.profile);
      assert.deepEqual(got?.secrets, { passwordHash: "scrypt$x" });
      assert.equal(got?.createdAt.getTime(), rec.createdAt.getTime());
      assert.equal(await t.store.users.get("nobody"), undefined);

      assert.deepEqual(
        (await t.store.users.list()).map((p) => p.id),
        ["alice", "bob"],
      );
      assert.equal((await t.store.users.findByEmail("ALICE@example.com"))?.id, "alice");
      assert.equal((await t.store.users.findByPhone("+15551000"))?.id, "alice");
      assert.equal(await t.store.users.findByEmail("bob@example.com"), undefined);
      assert.equal(await t.store.users.findByPhone("+1999"), undefined);
    });

    test("create conflicts name the id, email or phone", async () => {
      await t.store.users.create(profile("alice", ["a@x.org"], ["+1555"]), {});
      await assert.rejects(t.store.users.create(profile("alice"), {}), (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.match(e.message, /alice/);
        return true;
      });
      await assert.rejects(t.store.users.create(profile("bob", ["A@X.org"]), {}), (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.match(e.message, /a@x\.org/);
        return true;
      });
      await assert.rejects(
        t.store.users.create(profile("bob", [], ["+1555"]), {}),
        (e: unknown) => {
          assert.ok(e instanceof ConflictError);
          assert.match(e.message, /\+1555/);
          return true;
        },
      );
      // Nothing of the refused users was written.
      assert.equal(await t.store.users.get("bob"), undefined);
      assert.equal((await t.store.users.list()).length, 1);
    });

    test("update replaces profile, addresses and given secrets", async () => {
      await t.store.users.create(profile("alice", ["a@x.org"], ["+1555"]), {
        passwordHash: "p1",
        pinHash: "n1",
      });
      await t.store.users.create(profile("bob", ["b@x.org"]), {});
      const updated = await t.store.users.update(
        "alice",
        { ...profile("alice", ["new@x.org"], ["+1666"]), displayName: "Alice B" },
        { pinHash: "n2" },
      );
      assert.equal(updated.profile.displayName, "Alice B");
      assert.deepEqual(updated.secrets, { passwordHash: "p1", pinHash: "n2" });
      assert.ok(updated.updatedAt.getTime() >= updated.createdAt.getTime());
      assert.equal(await t.store.users.findByEmail("a@x.org"), undefined);
      assert.equal(await t.store.users.findByPhone("+1555"), undefined);
      assert.equal((await t.store.users.findByEmail("NEW@x.org"))?.displayName, "Alice B");
      assert.equal((await t.store.users.findByPhone("+1666"))?.id, "alice");

      // Keeping its own address is no conflict; taking bob's is.
      await t.store.users.update("alice", profile("alice", ["new@x.org"]));
      await assert.rejects(
        t.store.users.update("alice", profile("alice", ["b@x.org"])),
        ConflictError,
      );
      assert.equal((await t.store.users.findByEmail("b@x.org"))?.id, "bob");
      await assert.rejects(t.store.users.update("ghost", profile("ghost")), NotFoundError);
      await assert.rejects(t.store.users.update("alice", profile("bob")), ValidationError);
    });

    test("delete removes the user and frees its addresses", async () => {
      await t.store.users.create(profile("alice", ["a@x.org"], ["+1555"]), {});
      assert.equal(await t.store.users.delete("alice"), true);
      assert.equal(await t.store.users.delete("alice"), false);
      assert.equal(await t.store.users.get("alice"), undefined);
      assert.equal(await t.store.users.findByEmail("a@x.org"), undefined);
      await t.store.users.create(profile("carol", ["a@x.org"], ["+1555"]), {});
      assert.equal((await t.store.users.findByPhone("+1555"))?.id, "carol");
    });

    test("concurrent creates with one email: exactly one wins", async () => {
      const results = await Promise.allSettled([
        t.store.users.create(profile("u1", ["same@x.org"]), {}),
        t.store.users.create(profile("u2", ["same@x.org"]), {}),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      const rejected = results.find((r) => r.status === "rejected");
      assert.ok(rejected?.status === "rejected" && rejected.reason instanceof ConflictError);
    });
  });
}
