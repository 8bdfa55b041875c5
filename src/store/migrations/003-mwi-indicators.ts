// Migration 003: the per-client indicator slots of the MWI service, and 64-bit message counts on
// PostgreSQL (RFC 3842 allows counts up to 2^32 − 1; int4 stops at 2^31 − 1; SQLite's integer is
// already 64-bit and cannot ALTER a column type).

import { type Kysely, PostgresAdapter } from "kysely";

type AnyDb = Kysely<unknown>;

const COUNTS = ["new_count", "old_count", "urgent_new", "urgent_old"] as const;

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("mwi_indicators")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("delivered_version", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("mwi_indicators_pk", ["user_id", "client_id"])
    .execute();
  await db.schema
    .createIndex("mwi_indicators_target_idx")
    .on("mwi_indicators")
    .column("target")
    .execute();
  if (isPostgres(db)) {
    for (const column of COUNTS) {
      await db.schema
        .alterTable("mwi_state")
        .alterColumn(column, (c) => c.setDataType("bigint"))
        .execute();
    }
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (isPostgres(db)) {
    for (const column of COUNTS) {
      await db.schema
        .alterTable("mwi_state")
        .alterColumn(column, (c) => c.setDataType("integer"))
        .execute();
    }
  }
  await db.schema.dropTable("mwi_indicators").execute();
}
