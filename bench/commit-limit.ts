// The durable-commit limit: how many fsynced commits per second this disk takes, one row each and
// 100 rows sharing one, on SQLite opened as src/store/open.ts opens it and on PostgreSQL when one
// answers. Every durable path of omnivox is bounded by these figures (docs/performance.md).

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";

/** Rows that share one commit in the batched figure. */
export const BATCH = 100;
const DEFAULT_DURATION_MS = 2000;
/** About the size of a delivery row with its route options. */
const PAYLOAD = randomBytes(100).toString("hex");
const PG_URL =
  process.env.OMNIVOX_TEST_PG_URL ??
  `postgres://${encodeURIComponent(process.env.PGUSER ?? "postgres")}@127.0.0.1:5432/test`;

export interface CommitRates {
  /** Transactions per second with one INSERT each. */
  singleRowCommitsPerSec: number;
  /**
   * Rows per second when BATCH rows share one transaction: BATCH single-row INSERTs on SQLite (in
   * process, no round trip), one BATCH-row INSERT on PostgreSQL (one round trip).
   */
  batchedRowsPerSec: number;
  /** Commits per second of the batched run (batchedRowsPerSec / BATCH). */
  batchedCommitsPerSec: number;
}

export interface CommitLimitResult {
  sqlite: CommitRates;
  /** A note instead of figures when PostgreSQL did not answer. */
  postgres: CommitRates | string;
}

export async function run(durationMs = DEFAULT_DURATION_MS): Promise<CommitLimitResult> {
  return { sqlite: await sqliteRates(durationMs), postgres: await postgresRates(durationMs) };
}

/** Runs `commit` (which writes `rowsPer` rows) again and again for about `durationMs`. */
async function rate(
  durationMs: number,
  rowsPer: number,
  commit: () => unknown,
): Promise<{ commits: number; rows: number }> {
  const start = performance.now();
  let commits = 0;
  let elapsed = 0;
  do {
    await commit();
    commits++;
    elapsed = performance.now() - start;
  } while (elapsed < durationMs);
  return { commits: (commits * 1000) / elapsed, rows: (commits * rowsPer * 1000) / elapsed };
}

/** On the disk omnivox's dataDir is on (a temp dir, as the other benches use). */
async function sqliteRates(durationMs: number): Promise<CommitRates> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-commit-limit-"));
  const db = new SqliteDatabase(join(dir, "limit.sqlite"));
  try {
    // The durability of src/store/open.ts openSqlite (WAL, every commit synced before it is
    // acknowledged; omnivox syncs off the event loop, FULL does it here on the thread, the same
    // fsync per commit): keep them in step, or this is not the limit.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.exec("create table rows (id integer primary key, body text not null)");
    const insert = db.prepare("insert into rows (body) values (?)");
    const one = db.transaction(() => insert.run(PAYLOAD));
    const many = db.transaction(() => {
      for (let i = 0; i < BATCH; i++) insert.run(PAYLOAD);
    });
    const single = await rate(durationMs, 1, () => one());
    const batched = await rate(durationMs, BATCH, () => many());
    return {
      singleRowCommitsPerSec: single.commits,
      batchedRowsPerSec: batched.rows,
      batchedCommitsPerSec: batched.commits,
    };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One connection with the server's durability (synchronous_commit, on by default), in a scratch
 * schema dropped after.
 */
async function postgresRates(durationMs: number): Promise<CommitRates | string> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    return `not run: PostgreSQL not reachable at ${PG_URL} (${(err as Error).message})`;
  }
  const schema = `commit_limit_${randomBytes(4).toString("hex")}`;
  try {
    await client.query(`create schema ${schema}`);
    await client.query(
      `create table ${schema}.rows (id bigserial primary key, body text not null)`,
    );
    const insert = {
      name: "commit-limit-insert",
      text: `insert into ${schema}.rows (body) values ($1)`,
    };
    const insertMany = {
      name: "commit-limit-insert-many",
      text: `insert into ${schema}.rows (body) select unnest($1::text[])`,
    };
    // One statement per commit, so round trips (which group commit cannot remove) weigh as
    // little as they can and the figure is the server's commit rate.
    const single = await rate(durationMs, 1, () => client.query({ ...insert, values: [PAYLOAD] }));
    const rows = Array.from({ length: BATCH }, () => PAYLOAD);
    const batched = await rate(durationMs, BATCH, () =>
      client.query({ ...insertMany, values: [rows] }),
    );
    return {
      singleRowCommitsPerSec: single.commits,
      batchedRowsPerSec: batched.rows,
      batchedCommitsPerSec: batched.commits,
    };
  } finally {
    await client.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/** bench/run.ts rows: one commit per row beside many rows per commit, on the same disk. */
export function rows(r: CommitLimitResult) {
  const row = (name: string, c: CommitRates | string) =>
    typeof c === "string"
      ? { benchmark: `Durable-commit limit, ${name}`, figure: c, limit: "-", ratio: "-" }
      : {
          benchmark: `Durable-commit limit, ${name}`,
          figure: `${c.singleRowCommitsPerSec.toFixed(0)} commits/s single-row`,
          limit: `${c.batchedRowsPerSec.toFixed(0)} rows/s in ${BATCH}-row commits`,
          ratio: (c.singleRowCommitsPerSec / c.batchedRowsPerSec).toFixed(3),
        };
  return [
    row("SQLite (WAL, synchronous=FULL) on the dataDir disk", r.sqlite),
    row("PostgreSQL 127.0.0.1:5432/test (one connection)", r.postgres),
  ];
}
