// Migration 005: phones register with a generated SIP secret, apart from the web password. The
// digest columns of migration 002 keep holding the HA1 values, now made from that secret;
// `sip_secret_at` says when it was issued. Rows from before stay null there: their HA1 values
// came from the web password and keep working, unchanged, until the secret is rotated.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("users").addColumn("sip_secret_at", "bigint").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("users").dropColumn("sip_secret_at").execute();
}
