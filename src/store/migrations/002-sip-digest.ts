// Migration 002: SIP digest credentials on users (RFC 7616 / RFC 8760). scrypt hashes cannot
// give a digest HA1, so H(user:realm:password) is kept per hash beside them, with its realm.

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

const COLUMNS = ["sip_realm", "sip_ha1_md5", "sip_ha1_sha256"] as const;

export async function up(db: AnyDb): Promise<void> {
  // One ALTER per column: SQLite accepts only one ADD COLUMN per statement.
  for (const column of COLUMNS) {
    await db.schema.alterTable("users").addColumn(column, "text").execute();
  }
}

export async function down(db: AnyDb): Promise<void> {
  for (const column of [...COLUMNS].reverse()) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
}
