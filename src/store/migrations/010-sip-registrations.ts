// Migration 010-sip-registrations: phones' registrations with the node that took each one, for
// cluster mode (docs/cluster.md "Phones"); a single node keeps them in memory and leaves it empty.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("sip_registrations")
    .addColumn("aor", "text", (c) => c.notNull())
    .addColumn("contact_key", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("contact", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("registered_at", "bigint", (c) => c.notNull())
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("path", "text")
    .addColumn("direct", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("sip_registrations_pk", ["aor", "contact_key"])
    .execute();
  await db.schema
    .createIndex("sip_registrations_user")
    .on("sip_registrations")
    .column("user_id")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("sip_registrations").execute();
}
