// Migration 001: every table of the first schema. Written with kysely's schema builder only, so
// the same code runs on SQLite and PostgreSQL; times are bigint epoch ms, booleans integer 0/1.

import type { Kysely } from "kysely";

// The schema builder does not depend on the database type, so the migration needs none.
type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("pin_hash", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("user_emails")
    .addColumn("email", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .execute();
  await db.schema.createIndex("user_emails_user_idx").on("user_emails").column("user_id").execute();

  await db.schema
    .createTable("user_phones")
    .addColumn("number", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .execute();
  await db.schema.createIndex("user_phones_user_idx").on("user_phones").column("user_id").execute();

  await db.schema
    .createTable("communications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("thread_id", "text", (c) => c.notNull())
    .addColumn("parent_id", "text")
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("communications_user_time_idx")
    .on("communications")
    .columns(["user_id", "received_at"])
    .execute();
  await db.schema
    .createIndex("communications_thread_idx")
    .on("communications")
    .column("thread_id")
    .execute();

  await db.schema
    .createTable("native_ids")
    .addColumn("system", "text", (c) => c.notNull())
    .addColumn("native_id", "text", (c) => c.notNull())
    .addColumn("communication_id", "text", (c) =>
      c.notNull().references("communications.id").onDelete("cascade"),
    )
    .addPrimaryKeyConstraint("native_ids_pk", ["system", "native_id"])
    .execute();
  await db.schema
    .createIndex("native_ids_communication_idx")
    .on("native_ids")
    .column("communication_id")
    .execute();

  await db.schema
    .createTable("deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("communication_id", "text", (c) =>
      c.notNull().references("communications.id").onDelete("cascade"),
    )
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("lease_until", "bigint")
    .addColumn("expires_at", "bigint")
    .addColumn("last_error", "text")
    .addColumn("native_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .addUniqueConstraint("deliveries_communication_target_uq", ["communication_id", "target"])
    .execute();
  await db.schema
    .createIndex("deliveries_state_due_idx")
    .on("deliveries")
    .columns(["state", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("deliveries_target_state_idx")
    .on("deliveries")
    .columns(["target", "state"])
    .execute();

  await db.schema
    .createTable("mwi_state")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("system_id", "text", (c) => c.notNull())
    .addColumn("new_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("old_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("urgent_new", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("urgent_old", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("last_caller_ani", "text")
    .addColumn("last_caller_dnis", "text")
    .addColumn("last_caller_at", "bigint")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("mwi_state_pk", ["user_id", "system_id"])
    .execute();

  await db.schema
    .createTable("voicemail_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("communication_id", "text")
    .addColumn("ani", "text")
    .addColumn("dnis", "text")
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("audio_id", "text", (c) => c.notNull())
    .addColumn("urgent", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("transcript", "text")
    .execute();
  await db.schema
    .createIndex("voicemail_messages_user_time_idx")
    .on("voicemail_messages")
    .columns(["user_id", "received_at"])
    .execute();

  // "bytea" is PostgreSQL's byte string; SQLite accepts any type name and keeps blobs as blobs.
  await db.schema
    .createTable("audio_blobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("data", "bytea", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  // Children before parents, so foreign keys never block a drop.
  for (const table of [
    "audio_blobs",
    "voicemail_messages",
    "mwi_state",
    "deliveries",
    "native_ids",
    "communications",
    "user_phones",
    "user_emails",
    "users",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
