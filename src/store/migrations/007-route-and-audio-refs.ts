// Migration 007: each delivery keeps the route options receive matched for it (JSON of
// core/routing RouteOptions; null on rows from before, which render matches against the
// profile), and the audio a communication names gets a column of its own, beside the time each
// audio blob was written, so audio no committed row names (a deposit whose transaction failed)
// can be found and swept.

import { type Kysely, PostgresAdapter, sql } from "kysely";

type AnyDb = Kysely<unknown>;

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("deliveries").addColumn("route", "text").execute();
  await db.schema.alterTable("communications").addColumn("audio_id", "text").execute();
  // A voice communication's payload names its recording at body.audioId.
  const audioOfPayload = isPostgres(db)
    ? sql`(payload::jsonb -> 'body' ->> 'audioId')`
    : sql`json_extract(payload, '$.body.audioId')`;
  await sql`update communications set audio_id = ${audioOfPayload}`.execute(db);
  await db.schema
    .createIndex("communications_audio_idx")
    .on("communications")
    .column("audio_id")
    .execute();
  await db.schema
    .createIndex("voicemail_messages_audio_idx")
    .on("voicemail_messages")
    .column("audio_id")
    .execute();
  // Null on blobs from before: they are older than any grace period.
  await db.schema.alterTable("audio_blobs").addColumn("created_at", "bigint").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("audio_blobs").dropColumn("created_at").execute();
  await db.schema.dropIndex("voicemail_messages_audio_idx").execute();
  await db.schema.dropIndex("communications_audio_idx").execute();
  await db.schema.alterTable("communications").dropColumn("audio_id").execute();
  await db.schema.alterTable("deliveries").dropColumn("route").execute();
}
