// Message-waiting state per (user, voicemail system) (README "Message waiting"): the latest counts
// and last caller each source reported, and whether the user has MWI for that system switched on.

import { fromMs, optional, optionalDate, toMs } from "./codec.ts";
import type { Database } from "./database.ts";
import { FixedSql, upsertSql } from "./prepared.ts";
import type { MwiStateDbRow } from "./schema/index.ts";
import type { MwiRepo, MwiStateRow } from "./types.ts";

function toRow(r: MwiStateDbRow): MwiStateRow {
  const row: MwiStateRow = {
    userId: r.user_id,
    systemId: r.system_id,
    newCount: Number(r.new_count),
    oldCount: Number(r.old_count),
    urgentNew: Number(r.urgent_new),
    urgentOld: Number(r.urgent_old),
    enabled: Number(r.enabled) !== 0,
    updatedAt: fromMs(r.updated_at),
  };
  const at = optionalDate(r.last_caller_at);
  if (at) {
    row.lastCaller = { at };
    const ani = optional(r.last_caller_ani);
    const dnis = optional(r.last_caller_dnis);
    if (ani !== undefined) row.lastCaller.ani = ani;
    if (dnis !== undefined) row.lastCaller.dnis = dnis;
  }
  return row;
}

const STATE_COLUMNS = [
  "user_id",
  "system_id",
  "new_count",
  "old_count",
  "urgent_new",
  "urgent_old",
  "enabled",
  "last_caller_ani",
  "last_caller_dnis",
  "last_caller_at",
  "updated_at",
] as const satisfies ReadonlyArray<keyof MwiStateDbRow>;
/** Every MWI change writes it: fixed SQL (prepared.ts). */
const PUT_STATE = new FixedSql(upsertSql("mwi_state", STATE_COLUMNS, ["user_id", "system_id"]));

function fromRow(row: MwiStateRow): MwiStateDbRow {
  return {
    user_id: row.userId,
    system_id: row.systemId,
    new_count: row.newCount,
    old_count: row.oldCount,
    urgent_new: row.urgentNew,
    urgent_old: row.urgentOld,
    enabled: row.enabled ? 1 : 0,
    last_caller_ani: row.lastCaller?.ani ?? null,
    last_caller_dnis: row.lastCaller?.dnis ?? null,
    last_caller_at: row.lastCaller ? toMs(row.lastCaller.at) : null,
    updated_at: toMs(row.updatedAt),
  };
}

export class SqlMwiRepo implements MwiRepo {
  constructor(private readonly database: Database) {}

  async get(userId: string, systemId: string): Promise<MwiStateRow | undefined> {
    const r = await this.database.db
      .selectFrom("mwi_state")
      .selectAll()
      .where("user_id", "=", userId)
      .where("system_id", "=", systemId)
      .executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  async listForUser(userId: string): Promise<MwiStateRow[]> {
    const rows = await this.database.db
      .selectFrom("mwi_state")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("system_id")
      .execute();
    return rows.map(toRow);
  }

  async put(row: MwiStateRow): Promise<void> {
    const values = fromRow(row);
    await PUT_STATE.run(
      this.database,
      STATE_COLUMNS.map((c) => values[c]),
    );
  }

  /** A system with no reported state yet gets a zero row, so the choice is kept. */
  async setEnabled(userId: string, systemId: string, enabled: boolean): Promise<void> {
    const now = Date.now();
    await this.database.db
      .insertInto("mwi_state")
      .values({
        user_id: userId,
        system_id: systemId,
        new_count: 0,
        old_count: 0,
        urgent_new: 0,
        urgent_old: 0,
        enabled: enabled ? 1 : 0,
        last_caller_ani: null,
        last_caller_dnis: null,
        last_caller_at: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(["user_id", "system_id"])
          .doUpdateSet({ enabled: enabled ? 1 : 0, updated_at: now }),
      )
      .execute();
  }
}
