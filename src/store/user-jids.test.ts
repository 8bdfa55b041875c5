// XMPP JIDs as owned addresses, on both dialects: unique across users (bare, any case), found by
// findByJid, freed on delete, and migration 004-user-jids indexing profiles stored before it.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { sql } from "kysely";
import { guardSchemaChurn, type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { ConflictError } from "../core/errors.ts";
import { defaultProfile, type Profile } from "../core/profile.ts";
import { openDatabase } from "./open.ts";

function withJids(id: string, ...jids: string[]): Profile {
  return {
    ...defaultProfile(id),
    imClients: jids.map((jid, i) => ({ id: `x${i}`, kind: "xmpp" as const, jid })),
  };
}

for (const dialect of await testDialects()) {
  describe(`user JIDs (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("a JID has one owner: another user's claim in any case or resource is a conflict", async () => {
      const users = t.store.users;
      await users.create(withJids("carol", "carol@chat.example/phone"), {});
      assert.equal((await users.findByJid("Carol@Chat.Example/laptop"))?.id, "carol");
      for (const jid of ["carol@chat.example", "CAROL@chat.example/x", "carol@CHAT.example"]) {
        await assert.rejects(users.create(withJids("mallory", jid), {}), (e: unknown) => {
          assert.ok(e instanceof ConflictError);
          assert.match(e.message, /JID "carol@chat\.example"/);
          return true;
        });
      }
      await users.create(defaultProfile("mallory"), {});
      await assert.rejects(
        users.update("mallory", withJids("mallory", "carol@chat.example")),
        ConflictError,
      );
      assert.deepEqual((await users.get("mallory"))?.profile.imClients, [
        { id: "web", kind: "web" },
      ]);
      // Two clients of one user on one JID (two resources) are no conflict with herself.
      await users.update(
        "carol",
        withJids("carol", "carol@chat.example/a", "carol@chat.example/b"),
      );
      assert.equal((await users.findByJid("carol@chat.example"))?.id, "carol");
    });

    test("a JID is freed when its client or its user goes", async () => {
      const users = t.store.users;
      await users.create(withJids("carol", "carol@chat.example"), {});
      await users.update("carol", defaultProfile("carol"));
      assert.equal(await users.findByJid("carol@chat.example"), undefined);
      await users.create(withJids("dave", "carol@chat.example"), {});
      assert.equal(await users.delete("dave"), true);
      await users.create(withJids("erin", "carol@chat.example"), {});
      assert.equal((await users.findByJid("carol@chat.example"))?.id, "erin");
    });

    test("concurrent claims of one JID: exactly one wins", async () => {
      const results = await Promise.allSettled([
        t.store.users.create(withJids("u1", "same@chat.example"), {}),
        t.store.users.create(withJids("u2", "Same@chat.example"), {}),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    });

    test("migration 004-user-jids indexes stored profiles; a shared JID stays with the older user", async () => {
      await t.store.close();
      const database = await openDatabase(t.options);
      try {
        await guardSchemaChurn(t.options, async () => {
          await database.migrator().migrateTo("003-mwi-indicators");
        });
        const insert = async (id: string, profile: Profile, at: number) => {
          await sql`insert into users (id, display_name, profile, created_at, updated_at)
            values (${id}, ${id}, ${JSON.stringify(profile)}, ${at}, ${at})`.execute(database.db);
        };
        await insert("mallory", withJids("mallory", "carol@chat.example", "m@chat.example"), 2000);
        await insert("carol", withJids("carol", "Carol@chat.example/phone"), 1000);
        await guardSchemaChurn(t.options, () => database.migrate());
        const rows = await sql<{ jid: string; user_id: string }>`
          select jid, user_id from user_jids order by jid`.execute(database.db);
        assert.deepEqual(rows.rows, [
          { jid: "carol@chat.example", user_id: "carol" },
          { jid: "m@chat.example", user_id: "mallory" },
        ]);
      } finally {
        await database.destroy();
      }
      const store = await t.reopen();
      assert.equal((await store.users.findByJid("carol@chat.example"))?.id, "carol");
      const mallory = await store.users.get("mallory");
      assert.deepEqual(mallory?.profile.imClients, [
        { id: "x1", kind: "xmpp", jid: "m@chat.example" },
      ]);
    });
  });
}
