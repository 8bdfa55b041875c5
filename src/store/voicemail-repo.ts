// Our own voicemail store's message list (store/types VoicemailRecord). Counts follow RFC 3842's
// message-summary: `new`/`old` count every message, `urgentNew`/`urgentOld` the urgent among them.

import { ConflictError } from "../core/errors.ts";
import { fromMs, optional, toMs } from "./codec.ts";
import { type Database, isUniqueViolation } from "./database.ts";
import type { VoicemailMessageRow } from "./schema/index.ts";
import type { VoicemailRecord, VoicemailRepo } from "./types.ts";

function toRecord(r: VoicemailMessageRow): VoicemailRecord {
  const v: VoicemailRecord = {
    id: r.id,
    userId: r.user_id,
    receivedAt: fromMs(r.received_at),
    durationMs: Number(r.duration_ms),
    audioId: r.audio_id,
    urgent: Number(r.urgent) !== 0,
    state: r.state,
  };
  const communicationId = optional(r.communication_id);
  if (communicationId !== undefined) v.communicationId = communicationId;
  const ani = optional(r.ani);
  if (ani !== undefined) v.ani = ani;
  const dnis = optional(r.dnis);
  if (dnis !== undefined) v.dnis = dnis;
  const transcript = optional(r.transcript);
  if (transcript !== undefined) v.transcript = transcript;
  return v;
}

export class SqlVoicemailRepo implements VoicemailRepo {
  constructor(private readonly database: Database) {}

  /** ConflictError when a message with this id exists. */
  async insert(v: VoicemailRecord): Promise<void> {
    try {
      await this.insertRow(v);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`voicemail message "${v.id}" already exists`, { cause: err });
      }
      throw err;
    }
  }

  private async insertRow(v: VoicemailRecord): Promise<void> {
    await this.database.write((db) =>
      db
        .insertInto("voicemail_messages")
        .values({
          id: v.id,
          user_id: v.userId,
          communication_id: v.communicationId ?? null,
          ani: v.ani ?? null,
          dnis: v.dnis ?? null,
          received_at: toMs(v.receivedAt),
          duration_ms: Math.round(v.durationMs),
          audio_id: v.audioId,
          urgent: v.urgent ? 1 : 0,
          state: v.state,
          transcript: v.transcript ?? null,
        })
        .execute(),
    );
  }

  async get(userId: string, id: string): Promise<VoicemailRecord | undefined> {
    const r = await this.database.db
      .selectFrom("voicemail_messages")
      .selectAll()
      .where("user_id", "=", userId)
      .where("id", "=", id)
      .executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /** Newest first. */
  async list(userId: string, opts: { limit?: number } = {}): Promise<VoicemailRecord[]> {
    let q = this.database.db
      .selectFrom("voicemail_messages")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("received_at", "desc")
      .orderBy("id", "desc");
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const rows = await q.execute();
    return rows.map(toRecord);
  }

  async update(
    userId: string,
    id: string,
    patch: Partial<Pick<VoicemailRecord, "state" | "transcript">>,
  ): Promise<boolean> {
    const set: Partial<Pick<VoicemailMessageRow, "state" | "transcript">> = {};
    if (patch.state !== undefined) set.state = patch.state;
    if (patch.transcript !== undefined) set.transcript = patch.transcript;
    if (Object.keys(set).length === 0) return (await this.get(userId, id)) !== undefined;
    const res = await this.database.write((db) =>
      db
        .updateTable("voicemail_messages")
        .set(set)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const res = await this.database.write((db) =>
      db
        .deleteFrom("voicemail_messages")
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst(),
    );
    return Number(res.numDeletedRows) > 0;
  }

  async receivedBefore(
    before: Date,
    opts: { userId?: string; limit?: number } = {},
  ): Promise<VoicemailRecord[]> {
    let q = this.database.db
      .selectFrom("voicemail_messages")
      .selectAll()
      .where("received_at", "<", toMs(before))
      .orderBy("received_at")
      .orderBy("id");
    if (opts.userId !== undefined) q = q.where("user_id", "=", opts.userId);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map(toRecord);
  }

  async counts(
    userId: string,
  ): Promise<{ new: number; old: number; urgentNew: number; urgentOld: number }> {
    const rows = await this.database.db
      .selectFrom("voicemail_messages")
      .select((eb) => ["state", "urgent", eb.fn.countAll().as("n")])
      .where("user_id", "=", userId)
      .groupBy(["state", "urgent"])
      .execute();
    const out = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };
    for (const r of rows) {
      const n = Number(r.n);
      const urgent = Number(r.urgent) !== 0;
      if (r.state === "new") {
        out.new += n;
        if (urgent) out.urgentNew += n;
      } else {
        out.old += n;
        if (urgent) out.urgentOld += n;
      }
    }
    return out;
  }
}
