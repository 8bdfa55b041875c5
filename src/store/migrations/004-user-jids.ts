// Migration 004-user-jids: a unique index of the users' XMPP JIDs, as emails and phones have.
// Existing profiles are indexed oldest user first; a JID a later user also listed stays with the
// first and is removed from the later profile, since two owners is exactly what must not be.

import { type Kysely, sql } from "kysely";
import { jidKey } from "../../core/profile.ts";

type AnyDb = Kysely<unknown>;

interface StoredClient {
  kind?: unknown;
  jid?: unknown;
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("user_jids")
    .addColumn("jid", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .execute();
  await db.schema.createIndex("user_jids_user_idx").on("user_jids").column("user_id").execute();

  const users = await sql<{ id: string; profile: string }>`
    select id, profile from users order by created_at, id`.execute(db);
  const owner = new Map<string, string>();
  for (const user of users.rows) {
    const profile = JSON.parse(user.profile) as { imClients?: StoredClient[] };
    const clients = Array.isArray(profile.imClients) ? profile.imClients : [];
    const kept = clients.filter((client) => {
      if (client.kind !== "xmpp" || typeof client.jid !== "string") return true;
      const key = jidKey(client.jid);
      const first = owner.get(key);
      if (first === undefined) owner.set(key, user.id);
      return first === undefined || first === user.id;
    });
    if (kept.length !== clients.length) {
      const changed = JSON.stringify({ ...profile, imClients: kept });
      await sql`update users set profile = ${changed} where id = ${user.id}`.execute(db);
    }
  }
  for (const [jid, userId] of owner) {
    await sql`insert into user_jids (jid, user_id) values (${jid}, ${userId})`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("user_jids").execute();
}
