// Group commit: callers that arrive together share one commit, one that fails is rolled back
// alone, nobody hears "done" before the commit, and a nested call joins instead of waiting for
// a batch it is part of. The grouping is checked on a recording transaction, the SQL on both
// dialects.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { sql } from "kysely";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import type { Database } from "./database.ts";
import { type BatchTransaction, CommitGroup } from "./group-commit.ts";
import { openDatabase } from "./open.ts";
import { FixedSql } from "./prepared.ts";

/**
 * A transaction that records what the group asks of it; `failCommit` makes the commit fail,
 * `durable` stands for a sync that runs after the transaction has let go (wal-sync.ts).
 */
function recorder(opts: { failCommit?: boolean; durable?: () => Promise<void> } = {}) {
  const log: string[] = [];
  let batches = 0;
  const open = async (body: (b: BatchTransaction<string>) => Promise<void>) => {
    batches++;
    log.push("begin");
    await body({
      forCaller: () => ({ tx: `tx${batches}`, hooks: [], close: () => {} }),
      savepoint: async () => void log.push("savepoint"),
      release: async () => void log.push("release"),
      rollbackToSavepoint: async () => void log.push("rollback-to"),
    });
    if (opts.failCommit) throw new Error("disk I/O error");
    log.push("commit");
    return opts.durable ? { durable: opts.durable() } : undefined;
  };
  return { log, open, batches: () => batches };
}

test("callers of one event-loop turn share one commit; later ones get the next", async () => {
  const r = recorder();
  const group = new CommitGroup(r.open, { windowMs: 0, maxBatch: 100 }, (h) => h());
  const first = await Promise.all(Array.from({ length: 20 }, (_, i) => group.run(async () => i)));
  assert.deepEqual(
    first,
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(r.batches(), 1, "twenty callers, one transaction");
  assert.equal(r.log.filter((l) => l === "commit").length, 1);
  await group.run(async () => "again");
  assert.equal(r.batches(), 2);
});

test("callers that queued behind a running batch go next without waiting a second window", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const r = recorder();
  const group = new CommitGroup(r.open, { windowMs: 50, maxBatch: 100 }, (h) => h());
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  const first = group.run(() => held);
  t.mock.timers.tick(50);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(r.batches(), 1, "the first caller waited the window, then its batch opened");
  const second = group.run(async () => "second");
  letGo();
  await first;
  // No mocked time passes from here: only the next turns of the event loop.
  for (let i = 0; i < 5 && r.batches() < 2; i++) await new Promise((res) => setImmediate(res));
  assert.equal(r.batches(), 2, "the waiting caller's batch opened without a new window");
  assert.equal(await second, "second");
});

test("the next batch runs while the last one syncs; each caller hears done after its own sync", async () => {
  const syncs: Array<{ resolve(): void; reject(err: Error): void }> = [];
  const r = recorder({
    durable: () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
  });
  const group = new CommitGroup(r.open, { windowMs: 0, maxBatch: 100 }, (h) => h());
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((res) => setImmediate(res));
  };
  let firstDone = false;
  const first = group
    .run(async () => "first")
    .finally(() => {
      firstDone = true;
    });
  await turns(3);
  assert.equal(syncs.length, 1, "the first batch committed and its sync is under way");
  let secondDone = false;
  const second = group
    .run(async () => "second")
    .finally(() => {
      secondDone = true;
    });
  await turns(3);
  assert.equal(r.batches(), 2, "the second batch ran while the first one's sync was pending");
  assert.equal(firstDone, false, "a caller heard done before its commit was synced");
  syncs[0]!.resolve();
  assert.equal(await first, "first");
  await turns(3);
  assert.equal(secondDone, false);
  syncs[1]!.reject(new Error("fdatasync: EIO"));
  await assert.rejects(second, /EIO/);
});

test("maxBatch bounds a commit; the rest follow in the next", async () => {
  const r = recorder();
  const group = new CommitGroup(r.open, { windowMs: 0, maxBatch: 8 }, (h) => h());
  await Promise.all(Array.from({ length: 20 }, () => group.run(async () => undefined)));
  assert.equal(r.batches(), 3);
});

test("a failing caller is rolled back to its savepoint; the others commit", async () => {
  const r = recorder();
  const group = new CommitGroup(r.open, { windowMs: 0, maxBatch: 100 }, (h) => h());
  const results = await Promise.allSettled([
    group.run(async () => "a"),
    group.run(async () => {
      throw new Error("unique violation");
    }),
    group.run(async () => "c"),
  ]);
  assert.equal(results[0]!.status, "fulfilled");
  assert.equal(results[1]!.status, "rejected");
  assert.match(String((results[1] as PromiseRejectedResult).reason), /unique violation/);
  assert.equal(results[2]!.status, "fulfilled");
  assert.deepEqual(r.log, [
    "begin",
    ...["savepoint", "release"],
    ...["savepoint", "rollback-to", "release"],
    ...["savepoint", "release"],
    "commit",
  ]);
});

test("when the commit fails every caller hears it and no after-commit hook runs", async () => {
  const r = recorder({ failCommit: true });
  let hooks = 0;
  const group = new CommitGroup(r.open, { windowMs: 0, maxBatch: 100 }, () => hooks++);
  const results = await Promise.allSettled([group.run(async () => 1), group.run(async () => 2)]);
  assert.ok(results.every((s) => s.status === "rejected" && /disk I\/O/.test(String(s.reason))));
  assert.equal(hooks, 0);
});

for (const dialect of await testDialects()) {
  describe(`group commit (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    let database: Database;
    beforeEach(async () => {
      t = await dialect.open();
      database = await openDatabase(t.options);
      await sql`create table gc_probe (id integer primary key, who text not null)`.execute(
        database.db,
      );
    });
    afterEach(async () => {
      await database.destroy();
      await t.cleanup();
    });

    const probe = (tx: Database, id: number, who: string) =>
      sql`insert into gc_probe (id, who) values (${id}, ${who})`.execute(tx.db);
    const rows = async () =>
      (
        await sql<{ id: number }>`select id from gc_probe order by id`.execute(database.db)
      ).rows.map((r) => Number(r.id));

    test("concurrent transactions all commit; a duplicate key undoes only its own rows", async () => {
      const committed: number[] = [];
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          database.transaction(async (tx) => {
            await probe(tx, 1000 + i, "own");
            // Caller 7 also writes caller 3's key: it fails, and its own row 1007 goes with it.
            await probe(tx, i === 7 ? 1003 : 2000 + i, "second");
            tx.onCommit(() => committed.push(i));
            return i;
          }),
        ),
      );
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
      assert.deepEqual(failed, [7]);
      const ids = await rows();
      assert.equal(ids.length, 29 * 2);
      assert.ok(!ids.includes(1007) && !ids.includes(2007), "the failed caller left nothing");
      assert.deepEqual(
        committed.sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 7),
      );
    });

    test("a transaction begun on the root from inside another joins it", async () => {
      await database.transaction(async (tx) => {
        await probe(tx, 1, "outer");
        // Waiting for a batch of its own would wait for the batch this caller is in.
        await database.transaction((inner) => probe(inner, 2, "inner"));
        await database.write((db) =>
          sql`insert into gc_probe (id, who) values (3, 'w')`.execute(db),
        );
      });
      assert.deepEqual(await rows(), [1, 2, 3]);
    });

    test("fixed SQL runs in the caller's share, in order with built queries, and is undone with it", async () => {
      const insert = new FixedSql("insert into gc_probe (id, who) values (?, ?)");
      const count = new FixedSql<{ n: number }>("select count(*) as n from gc_probe where who = ?");
      let ended: Database | undefined;
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          database.transaction(async (tx) => {
            ended = tx;
            await insert.run(tx, [100 + i, `c${i}`]);
            await probe(tx, 200 + i, `c${i}`);
            // Both rows are in this caller's transaction already, whichever way they went.
            const [seen] = await count.rows(tx, [`c${i}`]);
            assert.equal(Number(seen?.n), 2);
            if (i === 4) await insert.run(tx, [100, "duplicate"]);
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled"],
      );
      assert.deepEqual(await rows(), [100, 101, 102, 103, 105, 200, 201, 202, 203, 205]);
      await assert.rejects(insert.run(ended!, [300, "late"]), /already ended/);
    });

    test("a caller's promise settles after the commit: its rows are visible then", async () => {
      const seen = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          database.transaction((tx) => probe(tx, 10 + i, "x")).then(() => rows()),
        ),
      );
      for (const [i, ids] of seen.entries()) assert.ok(ids.includes(10 + i));
    });
  });
}
