// better-sqlite3 behind kysely with its prepared statements kept: kysely's SQLite driver prepares
// every query afresh, and compiling the same few dozen statements again was a tenth of the time
// the gateway spent on a mail. The SQL text is the key (parameters are bound at run time).

import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqlite, SqliteStatement } from "kysely";

/** Enough for every statement the repositories build; dynamic IN-lists beyond it are evicted. */
const CACHED_STATEMENTS = 512;

export function withCachedStatements(
  sqlite: SqliteDatabase.Database,
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
      const stmt = sqlite.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}
