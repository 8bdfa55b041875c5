// Migration 009-mwi-versions: one counter row per user for MWI indicator versions, taken with
// one atomic upsert, so indicators made on different nodes never share or reuse a version.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("mwi_versions")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("version", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("mwi_versions").execute();
}
