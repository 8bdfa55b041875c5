// Test support for erasure: reads every table of a store generically — SQLite's sqlite_master or
// PostgreSQL's information_schema, never a list of ours — and reports which columns of which
// tables hold a value containing any of the given strings (a user id, the ids of their rows). A
// table added later is read like the others, so an erasure that forgets it shows here.

import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { TEST_PG_URL } from "./store.ts";

export type StoreLocation = { sqliteFile: string } | { pgSchema: string };

/** Every table's rows, by table name. */
async function readAll(at: StoreLocation): Promise<Map<string, Array<Record<string, unknown>>>> {
  const out = new Map<string, Array<Record<string, unknown>>>();
  if ("sqliteFile" in at) {
    const db = new SqliteDatabase(at.sqliteFile, { readonly: true });
    try {
      const tables = db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as Array<{ name: string }>;
      for (const { name } of tables) {
        const quoted = `"${name.replaceAll('"', '""')}"`;
        out.set(
          name,
          db.prepare(`select * from ${quoted}`).all() as Array<Record<string, unknown>>,
        );
      }
    } finally {
      db.close();
    }
    return out;
  }
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'",
      [at.pgSchema],
    );
    for (const { table_name } of tables.rows) {
      const name = `${pg.escapeIdentifier(at.pgSchema)}.${pg.escapeIdentifier(table_name)}`;
      out.set(table_name, (await client.query(`select * from ${name}`)).rows);
    }
  } finally {
    await client.end();
  }
  return out;
}

export interface References {
  /** Every table of the store. */
  tables: string[];
  /** "table.column" of every value that contains one of the strings, each once, sorted. */
  hits: string[];
  /** The tables among the hits. */
  hitTables: Set<string>;
}

/** Which columns hold any of `needles` (text values; numbers and bytes are not ids). */
export async function referencesTo(
  at: StoreLocation,
  needles: readonly string[],
): Promise<References> {
  const all = await readAll(at);
  const hits = new Set<string>();
  for (const [table, rows] of all) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === "string" && needles.some((n) => value.includes(n)))
          hits.add(`${table}.${column}`);
      }
    }
  }
  const sorted = [...hits].sort();
  return {
    tables: [...all.keys()].sort(),
    hits: sorted,
    hitTables: new Set(sorted.map((h) => h.slice(0, h.indexOf(".")))),
  };
}
