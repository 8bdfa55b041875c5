// openStore on both dialects: migrations that are idempotent on reopen and reversible, data that
// survives close + reopen, SQLite durability settings, the PostgreSQL schema, and bad options.

import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { NO_MIGRATIONS, sql } from "kysely";
import {
  guardSchemaChurn,
  type OpenedTestStore,
  openTestStores,
  testCommunication,
  testDialects,
} from "../../test/support/store.ts";
import { ConfigError } from "../core/errors.ts";
import { defaultProfile } from "../core/profile.ts";
import { migrations } from "./migrations/index.ts";
import { openDatabase, openStore, SQLITE_FILE } from "./open.ts";

for (const dialect of await testDialects()) {
  describe(`open (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("migrations run once and are idempotent on reopen", async () => {
      await t.reopen();
      await t.reopen();
      const database = await openDatabase(t.options);
      try {
        await guardSchemaChurn(t.options, () => database.migrate());
        const rows = await sql<{
          name: string;
        }>`select name from kysely_migration order by name`.execute(database.db);
        assert.deepEqual(
          rows.rows.map((r) => r.name),
          Object.keys(migrations),
        );
      } finally {
        await database.destroy();
      }
      assert.equal(await t.store.ping(), true);
    });

    test("data survives close and reopen", async () => {
      const c = testCommunication();
      await t.store.users.create(
        { ...defaultProfile("alice"), emails: ["a@x.org"] },
        { pinHash: "h" },
      );
      const [d] = await t.store.communications.insertWithDeliveries(c, [
        { target: "mailto:a@x.org" },
      ]);
      await t.store.mwi.setEnabled("alice", "pbx", false);
      await t.store.voicemail.insert({
        id: "m1",
        userId: "alice",
        receivedAt: new Date(1234),
        durationMs: 10,
        audioId: "m1",
        urgent: false,
        state: "new",
      });
      const store = await t.reopen();
      assert.equal((await store.users.findByEmail("A@x.org"))?.id, "alice");
      assert.deepEqual(await store.communications.get(c.id), c);
      assert.deepEqual(await store.outbox.get(d?.id ?? ""), d);
      assert.equal((await store.mwi.get("alice", "pbx"))?.enabled, false);
      assert.equal((await store.voicemail.get("alice", "m1"))?.receivedAt.getTime(), 1234);
    });

    test("down migrations drop every table", async () => {
      const database = await openDatabase(t.options);
      try {
        const { error } = await guardSchemaChurn(t.options, () =>
          database.migrator().migrateTo(NO_MIGRATIONS),
        );
        assert.equal(error, undefined);
        await assert.rejects(sql`select count(*) from users`.execute(database.db));
        await guardSchemaChurn(t.options, () => database.migrate());
        await sql`select count(*) from users`.execute(database.db);
      } finally {
        await database.destroy();
      }
    });

    test("migration 007 names each stored voice communication's audio in its own column", async () => {
      const database = await openDatabase(t.options);
      try {
        const down = await guardSchemaChurn(t.options, () =>
          database.migrator().migrateTo("006-pin-lockout"),
        );
        assert.equal(down.error, undefined);
        const voice = { ...testCommunication({ id: "v-007" }), body: { audioId: "vm-007" } };
        const rows = [testCommunication({ id: "e-007" }), voice].map((c) => ({
          id: c.id,
          user_id: "alice",
          kind: c.id === "v-007" ? "voicemail" : "email",
          direction: "inbound",
          thread_id: c.id,
          received_at: 1,
          payload: JSON.stringify(c),
        }));
        await sql`insert into communications (id, user_id, kind, direction, thread_id, received_at, payload) values ${sql.join(
          rows.map(
            (r) =>
              sql`(${r.id}, ${r.user_id}, ${r.kind}, ${r.direction}, ${r.thread_id}, ${r.received_at}, ${r.payload})`,
          ),
        )}`.execute(database.db);
        await guardSchemaChurn(t.options, () => database.migrate());
        const got = await database.db
          .selectFrom("communications")
          .select(["id", "audio_id"])
          .orderBy("id")
          .execute();
        assert.deepEqual(got, [
          { id: "e-007", audio_id: null },
          { id: "v-007", audio_id: "vm-007" },
        ]);
      } finally {
        await database.destroy();
      }
    });

    test("ping answers false once closed", async () => {
      assert.equal(await t.store.ping(), true);
      await t.store.close();
      assert.equal(await t.store.ping(), false);
      await t.reopen().catch(() => undefined);
    });

    if (dialect.name === "sqlite") {
      test("SQLite file in dataDir, WAL, synchronous=NORMAL with the WAL synced by wal-sync", async () => {
        assert.ok((await stat(join(t.options.dataDir, SQLITE_FILE))).isFile());
        const database = await openDatabase(t.options);
        try {
          const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
            database.db,
          );
          assert.equal(mode.rows[0]?.journal_mode, "wal");
          const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
          assert.equal(sync.rows[0]?.synchronous, 1);
          const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
          assert.equal(fk.rows[0]?.foreign_keys, 1);
        } finally {
          await database.destroy();
        }
      });
    } else {
      test("PostgreSQL tables live in the requested schema", async () => {
        const database = await openDatabase(t.options);
        try {
          const res = await sql<{
            table_name: string;
          }>`select table_name from information_schema.tables
            where table_schema = ${t.options.pgSchema} order by table_name`.execute(database.db);
          const names = res.rows.map((r) => r.table_name);
          for (const table of ["users", "communications", "deliveries", "audio_blobs"]) {
            assert.ok(names.includes(table), `${table} missing from ${names.join(",")}`);
          }
          const big = await sql<{ n: number }>`select 9007199254740991::bigint as n`.execute(
            database.db,
          );
          assert.equal(big.rows[0]?.n, Number.MAX_SAFE_INTEGER);
        } finally {
          await database.destroy();
        }
      });
    }
  });
}

describe("open (options)", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "omnivox-open-"));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  test("an unknown database value is a ConfigError naming it", async () => {
    await assert.rejects(
      openStore({ database: "mysql://u:secret@h/db", dataDir }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /mysql/);
        assert.doesNotMatch(e.message, /secret/);
        return true;
      },
    );
  });

  test("a pgSchema that is not a plain name is refused before connecting", async () => {
    await assert.rejects(
      openStore({ database: "postgres://127.0.0.1:1/x", dataDir, pgSchema: 'x"; drop' }),
      ConfigError,
    );
  });

  test("an unreachable PostgreSQL is a ConfigError without the password", async () => {
    await assert.rejects(
      openStore({ database: "postgres://u:hunter2@127.0.0.1:1/x", dataDir }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
  });

  test(":memory: works and writes nothing to dataDir", async () => {
    const store = await openStore({ database: ":memory:", dataDir });
    assert.equal(store.dialect, "sqlite");
    await store.users.create(defaultProfile("x"), {});
    assert.equal((await store.users.get("x"))?.profile.id, "x");
    await store.close();
    await assert.rejects(stat(join(dataDir, SQLITE_FILE)), { code: "ENOENT" });
  });

  test("sqlite creates a missing dataDir", async () => {
    const nested = join(dataDir, "a", "b");
    const store = await openStore({ database: "sqlite", dataDir: nested });
    await store.close();
    assert.ok((await stat(join(nested, SQLITE_FILE))).isFile());
  });
});

describe("test-support", () => {
  test("openTestStores gives one working store per reachable dialect", async () => {
    const stores = await openTestStores();
    try {
      const expected = (await testDialects()).filter((d) => !d.skip).map((d) => d.name);
      assert.deepEqual(
        stores.map((s) => s.name),
        expected,
      );
      for (const { store } of stores) assert.equal(await store.ping(), true);
    } finally {
      for (const s of stores) await s.cleanup();
    }
    for (const { store } of stores) assert.equal(await store.ping(), false);
  });
});
