// The store's hottest statements as fixed SQL (docs/performance.md "Fixed SQL on the hot path"):
// kysely builds, freezes and compiles a query tree on every call, while these statements never
// change shape; written as SQL they made the SMTP and MWI benches 10–45 % faster. Each is written
// once with "?" placeholders ($n on PostgreSQL) and runs in the caller's transaction and SQLite's
// statement cache (sqlite-statements.ts) like any query; Database.execute says which way.

import type { QueryResult } from "kysely";
import type { Database } from "./database.ts";

/** One statement; `R` is the row it returns (`never` when it returns none). */
export class FixedSql<R = never> {
  readonly #sqlite: string;
  readonly #postgres: string;

  /** `text` uses "?" for each parameter and no "?" anywhere else. */
  constructor(text: string) {
    this.#sqlite = text;
    let n = 0;
    this.#postgres = text.replace(/\?/g, () => `$${++n}`);
  }

  run(database: Database, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    return database.execute(
      database.dialect === "postgres" ? this.#postgres : this.#sqlite,
      parameters,
    );
  }

  async rows(database: Database, parameters: readonly unknown[]): Promise<R[]> {
    return (await this.run(database, parameters)).rows;
  }

  async first(database: Database, parameters: readonly unknown[]): Promise<R | undefined> {
    return (await this.run(database, parameters)).rows[0];
  }

  /** Rows an INSERT, UPDATE or DELETE changed, as both drivers report it. */
  async changed(database: Database, parameters: readonly unknown[]): Promise<number> {
    return Number((await this.run(database, parameters)).numAffectedRows ?? 0);
  }
}

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(", ");

/** `insert into table (columns) values (?, …)`; the parameters follow `columns`. */
export function insertSql(table: string, columns: readonly string[]): string {
  return `insert into "${table}" (${quoted(columns)}) values (${columns.map(() => "?").join(", ")})`;
}

/**
 * An insert that overwrites the row with the same `key` columns instead (the same on SQLite and
 * PostgreSQL): every other column takes the new value.
 */
export function upsertSql(
  table: string,
  columns: readonly string[],
  key: readonly string[],
): string {
  const rest = columns.filter((c) => !key.includes(c));
  const set = rest.map((c) => `"${c}" = excluded."${c}"`).join(", ");
  return `${insertSql(table, columns)} on conflict (${quoted(key)}) do update set ${set}`;
}
