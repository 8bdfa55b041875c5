// Migration 011-phone-subscriptions: phones' MWI subscription dialogs with the node holding
// each, for cluster mode (docs/cluster.md "Phones"); a single node leaves it empty.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("phone_subscriptions")
    .addColumn("call_id", "text", (c) => c.notNull())
    .addColumn("local_tag", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("phone_subscriptions_pk", ["call_id", "local_tag"])
    .execute();
  await db.schema
    .createIndex("phone_subscriptions_node")
    .on("phone_subscriptions")
    .column("node_id")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("phone_subscriptions").execute();
}
