// Session rows behind revocable session tokens: the token's MAC says it is ours, the row says it
// is still wanted. Expired rows of a user are pruned whenever that user's sessions are listed or
// a new one is opened, so the table stays as small as the live sessions.

import { fromMs, optional, toMs } from "./codec.ts";
import type { Database } from "./database.ts";
import type { SessionRow } from "./schema/index.ts";
import type { SessionRecord, SessionsRepo } from "./types.ts";

function toRecord(row: SessionRow): SessionRecord {
  const record: SessionRecord = {
    id: row.id,
    userId: row.user_id,
    createdAt: fromMs(row.created_at),
    expiresAt: fromMs(row.expires_at),
  };
  const source = optional(row.source);
  const userAgent = optional(row.user_agent);
  if (source !== undefined) record.source = source;
  if (userAgent !== undefined) record.userAgent = userAgent;
  return record;
}

export class SqlSessionsRepo implements SessionsRepo {
  constructor(private readonly database: Database) {}

  async create(session: SessionRecord): Promise<void> {
    await this.database.transaction(async (tx) => {
      await this.#prune(tx, session.userId, session.createdAt);
      await tx.db
        .insertInto("sessions")
        .values({
          id: session.id,
          user_id: session.userId,
          created_at: toMs(session.createdAt),
          expires_at: toMs(session.expiresAt),
          source: session.source ?? null,
          user_agent: session.userAgent ?? null,
        })
        .execute();
    });
  }

  async get(userId: string, id: string, now: Date): Promise<SessionRecord | undefined> {
    const row = await this.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .where("expires_at", ">", toMs(now))
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listForUser(userId: string, now: Date): Promise<SessionRecord[]> {
    await this.#prune(this.database, userId, now);
    const rows = await this.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .execute();
    return rows.map(toRecord);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const res = await this.database.db
      .deleteFrom("sessions")
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string, exceptId?: string): Promise<number> {
    let query = this.database.db.deleteFrom("sessions").where("user_id", "=", userId);
    if (exceptId !== undefined) query = query.where("id", "!=", exceptId);
    const res = await query.executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async #prune(db: Database, userId: string, now: Date): Promise<void> {
    await db.db
      .deleteFrom("sessions")
      .where("user_id", "=", userId)
      .where("expires_at", "<=", toMs(now))
      .execute();
  }
}
