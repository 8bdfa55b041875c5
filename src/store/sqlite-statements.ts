// better-sqlite3 behind kysely with its prepared statements kept: kysely's SQLite driver prepares
// every query afresh, and compiling the same few dozen statements again was a tenth of the time
// the gateway spent on a mail. The SQL text is the key (parameters are bound at run time).

import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqlite, QueryResult, SqliteStatement } from "kysely";

/** Enough for every statement the repositories build; dynamic IN-lists beyond it are evicted. */
const CACHED_STATEMENTS = 512;

/**
 * `afterRun` is told of every statement once it has run (wal-sync.ts watches for commits); a
 * statement that throws is not reported, and neither is its effect on the transaction.
 */
export function withCachedStatements(
  sqlite: SqliteDatabase.Database,
  afterRun?: (stmt: SqliteDatabase.Statement) => void,
  size = CACHED_STATEMENTS,
): KyselySqlite {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        // Least recently used goes first: a Map iterates in insertion order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = afterRun ? watched(sqlite.prepare(sql), afterRun) : sqlite.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}

function watched(
  stmt: SqliteDatabase.Statement,
  afterRun: (stmt: SqliteDatabase.Statement) => void,
): SqliteStatement {
  return {
    reader: stmt.reader,
    all(parameters: ReadonlyArray<unknown>) {
      const rows = stmt.all(parameters);
      afterRun(stmt);
      return rows;
    },
    run(parameters: ReadonlyArray<unknown>) {
      const result = stmt.run(parameters);
      afterRun(stmt);
      return result;
    },
    iterate: (parameters: ReadonlyArray<unknown>) => stmt.iterate(parameters),
  };
}

/** Runs one statement at once, as kysely's SQLite connection would, with its result. */
export type DirectSql = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

/**
 * Statements of `database` (cached and watched as kysely's are) run without kysely's executor:
 * only for a caller that holds the connection already (store/database.ts execute).
 */
export function directSql(database: KyselySqlite): DirectSql {
  return (sql, parameters) => {
    const stmt = database.prepare(sql);
    if (stmt.reader) return { rows: stmt.all(parameters) as unknown[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return {
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
    };
  };
}
