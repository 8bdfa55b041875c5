// Durable commits off the event loop: a write's promise settles only after the WAL sync that
// covers it, reads do not wait for a sync, commits made while one sync runs share the next, and a
// sync that fails reaches the writer as an error. Real SQLite files; only the sync is gated.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import SqliteDatabase from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { Database } from "./database.ts";
import type { DatabaseSchema } from "./schema/index.ts";
import { withCachedStatements } from "./sqlite-statements.ts";
import { commitWatcher, DurableSqliteDialect, type SyncFile, WalSync } from "./wal-sync.ts";

interface Row {
  id: number;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-wal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A database whose WAL syncs wait until `release()`; `syncs` counts those started. */
function gated(fail?: Error) {
  const file = join(dir, "t.sqlite");
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.exec("create table t (id integer primary key)");
  let syncs = 0;
  const waiting: Array<() => void> = [];
  const syncFile: SyncFile = async (handle) => {
    syncs++;
    await new Promise<void>((resolve) => waiting.push(resolve));
    if (fail) throw fail;
    await handle.datasync();
  };
  const wal = new WalSync(`${file}-wal`, syncFile);
  const db = new Kysely<{ t: Row }>({
    dialect: new DurableSqliteDialect(
      { database: withCachedStatements(sqlite, commitWatcher(sqlite, wal)) },
      wal,
    ),
  });
  const release = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { db, wal, release, syncs: () => syncs, pending: () => waiting.length };
}

/** True once `p` has settled, after letting the thread pool and the event loop run a while. */
async function settles(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 30));
  return done;
}

test("a write in autocommit settles only after the WAL sync that covers it", async () => {
  const g = gated();
  const insert = g.db.insertInto("t").values({ id: 1 }).execute();
  assert.equal(await settles(insert), false, "settled before the WAL was synced");
  assert.equal(g.syncs(), 1);
  g.release();
  await insert;
  await g.db.destroy();
});

test("a transaction settles only after the sync; a read meanwhile does not wait", async () => {
  const g = gated();
  const tx = g.db.transaction().execute(async (trx) => {
    await trx.insertInto("t").values({ id: 1 }).execute();
    await trx.insertInto("t").values({ id: 2 }).execute();
  });
  assert.equal(await settles(tx), false);
  // The connection is free while the WAL syncs: the committed rows can already be read.
  const rows = await g.db.selectFrom("t").selectAll().execute();
  assert.equal(rows.length, 2);
  assert.equal(g.syncs(), 1, "a read must not start a sync");
  g.release();
  await tx;
  await g.db.destroy();
});

test("commits made while a sync runs are covered by one more sync, not one each", async () => {
  const g = gated();
  const first = g.db.insertInto("t").values({ id: 1 }).execute();
  await settles(first);
  const more = [2, 3, 4, 5].map((id) => g.db.insertInto("t").values({ id }).execute());
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(g.syncs(), 1, "a second sync started while the first was in flight");
  g.release();
  await first;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(g.syncs(), 2);
  assert.equal(await settles(Promise.all(more)), false);
  g.release();
  await Promise.all(more);
  await g.db.destroy();
});

test("a sync that fails reaches the writer as an error that says what failed", async () => {
  const g = gated(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
  const insert = g.db.insertInto("t").values({ id: 1 }).execute();
  await settles(insert);
  g.release();
  await assert.rejects(insert, /write-ahead log could not be synced/);
  await g.db.destroy();
});

test("a transaction that only read, and a statement that failed, start no sync", async () => {
  const g = gated();
  await assert.rejects(
    g.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      throw new Error("changed my mind");
    }),
    /changed my mind/,
  );
  await assert.rejects(sql`insert into t (id) values ('not a number')`.execute(g.db));
  assert.equal(g.syncs(), 0);
  await g.db.destroy();
});

/** The store's own Database (group commit) over a gated file, as open.ts builds it. */
function grouped(g: ReturnType<typeof gated>): Database {
  return Database.create(g.db as unknown as Kysely<DatabaseSchema>, "sqlite", {
    group: { windowMs: 0, maxBatch: 100 },
    deferRelease: () => g.wal.deferRelease(),
  });
}

test("group commit: the next batch commits while the last one syncs; hooks wait for the sync", async () => {
  const g = gated(undefined);
  const database = grouped(g);
  const hooks: string[] = [];
  const insert = (id: number) =>
    database.transaction(async (tx) => {
      await sql`insert into t (id) values (${id})`.execute(tx.db);
      tx.onCommit(() => hooks.push(`committed ${id}`));
    });
  const first = insert(1);
  assert.equal(await settles(first), false, "settled before its sync");
  assert.equal(g.syncs(), 1);
  const second = insert(2);
  await new Promise((resolve) => setTimeout(resolve, 20));
  // The second batch has committed into the WAL behind the sync of the first.
  const rows = await g.db.selectFrom("t").selectAll().orderBy("id").execute();
  assert.deepEqual(
    rows.map((r) => r.id),
    [1, 2],
  );
  assert.deepEqual(hooks, [], "a hook ran before its commit was on disk");
  g.release();
  await first;
  assert.deepEqual(hooks, ["committed 1"]);
  assert.equal(await settles(second), false, "the second commit needs a sync of its own");
  g.release();
  await second;
  assert.deepEqual(hooks, ["committed 1", "committed 2"]);
  await g.db.destroy();
});

test("group commit: a sync that fails under a deferred release fails its batch, no hook runs", async () => {
  const g = gated(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
  const database = grouped(g);
  let hooked = false;
  const write = database.transaction(async (tx) => {
    await sql`insert into t (id) values (1)`.execute(tx.db);
    tx.onCommit(() => {
      hooked = true;
    });
  });
  await settles(write);
  g.release();
  await assert.rejects(write, /write-ahead log could not be synced/);
  assert.equal(hooked, false);
  await g.db.destroy();
});
