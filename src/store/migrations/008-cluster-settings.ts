// Migration 008-cluster-settings: one row per value the nodes of a cluster share (the server
// secret), so a session or audio link made on one node is good on every other.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("cluster_settings")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("cluster_settings").execute();
}
