// SessionsRepo on both dialects: a session is found only for its user and before it expires;
// listing prunes expired rows; one or all can be deleted; they go with their user.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { defaultProfile } from "../core/profile.ts";

const T0 = 1_700_000_000_000;

for (const dialect of await testDialects()) {
  describe(`sessions (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
      await t.store.users.create(defaultProfile("alice"), {});
      await t.store.users.create(defaultProfile("bob"), {});
    });
    afterEach(() => t.cleanup());

    const session = (id: string, userId: string, created: number, ttl = 60_000) => ({
      id,
      userId,
      createdAt: new Date(created),
      expiresAt: new Date(created + ttl),
    });

    test("get finds a live session of its own user only", async () => {
      const { sessions } = t.store;
      await sessions.create({
        ...session("s1", "alice", T0),
        source: "127.0.0.1",
        userAgent: "ua",
      });
      const got = await sessions.get("alice", "s1", new Date(T0 + 1));
      assert.deepEqual(got, {
        ...session("s1", "alice", T0),
        source: "127.0.0.1",
        userAgent: "ua",
      });
      assert.equal(await sessions.get("bob", "s1", new Date(T0 + 1)), undefined);
      assert.equal(await sessions.get("alice", "s1", new Date(T0 + 60_000)), undefined);
      assert.equal(await sessions.get("alice", "nope", new Date(T0)), undefined);
    });

    test("list is newest first and prunes expired rows; delete one and delete all", async () => {
      const { sessions } = t.store;
      await sessions.create(session("old", "alice", T0, 1000));
      await sessions.create(session("s1", "alice", T0 + 10));
      await sessions.create(session("s2", "alice", T0 + 20));
      await sessions.create(session("s3", "alice", T0 + 30));
      await sessions.create(session("b1", "bob", T0));
      const listed = await sessions.listForUser("alice", new Date(T0 + 5000));
      assert.deepEqual(
        listed.map((s) => s.id),
        ["s3", "s2", "s1"],
      );
      assert.equal(await sessions.get("alice", "old", new Date(T0)), undefined, "pruned");
      assert.equal(await sessions.delete("alice", "s2"), true);
      assert.equal(await sessions.delete("alice", "s2"), false);
      assert.equal(await sessions.delete("alice", "b1"), false, "bob's is not alice's to end");
      assert.equal(await sessions.deleteForUser("alice", "s3"), 1);
      assert.deepEqual(
        (await sessions.listForUser("alice", new Date(T0 + 5000))).map((s) => s.id),
        ["s3"],
      );
      assert.equal(await sessions.deleteForUser("alice"), 1);
      assert.equal((await sessions.listForUser("bob", new Date(T0))).length, 1);
    });

    test("a user's sessions go with the user", async () => {
      await t.store.sessions.create(session("s1", "alice", T0));
      await t.store.users.delete("alice");
      await t.store.users.create(defaultProfile("alice"), {});
      assert.equal(await t.store.sessions.get("alice", "s1", new Date(T0)), undefined);
    });
  });
}
