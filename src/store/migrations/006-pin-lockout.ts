// Migration 006-pin-lockout: one row per mailbox with wrong voicemail PINs counted against it
// (core/pin-lockout.ts), so a lock and its growing ban length outlive a restart. Rows go with
// their user (ON DELETE CASCADE).

import type { Kysely } from "kysely";

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("pin_lockouts")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("strikes", "integer", (c) => c.notNull())
    .addColumn("banned_until", "bigint", (c) => c.notNull())
    .addColumn("last_failure", "bigint", (c) => c.notNull())
    .addColumn("callers", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("pin_lockouts").execute();
}
