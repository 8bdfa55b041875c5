// The MWI service's per-client indicator slots (table mwi_indicators): latest-wins state sync, as
// opposed to the outbox's every-message-once. A version counter per user orders the indicators.

import { sql } from "kysely";
import type { VoicemailIndicator } from "../core/mwi.ts";
import { fromMs, toMs } from "./codec.ts";
import type { Database } from "./database.ts";
import { SqlMwiRepo } from "./mwi-repo.ts";
import { FixedSql, upsertSql } from "./prepared.ts";
import type { MwiIndicatorDbRow } from "./schema/index.ts";
import type { MwiIndicatorRepo, MwiIndicatorSlot, MwiStateRow } from "./types.ts";

const SLOT_COLUMNS = [
  "user_id",
  "client_id",
  "target",
  "version",
  "payload",
  "expires_at",
  "updated_at",
] as const satisfies ReadonlyArray<keyof MwiIndicatorDbRow>;
// Every MWI change writes a slot per client and every confirmation one update: fixed SQL
// (prepared.ts). A new slot starts at delivered_version 0 (the column's default); one written
// again keeps the version its client confirmed.
const PUT_SLOT = new FixedSql(upsertSql("mwi_indicators", SLOT_COLUMNS, ["user_id", "client_id"]));
const MARK_SLOT_DELIVERED = new FixedSql(
  'update "mwi_indicators" set "delivered_version" = case when "delivered_version" < ? then ? else "delivered_version" end where "user_id" = ? and "client_id" = ?',
);

function toSlot(r: MwiIndicatorDbRow): MwiIndicatorSlot {
  return {
    userId: r.user_id,
    clientId: r.client_id,
    target: r.target,
    version: Number(r.version),
    indicator: JSON.parse(r.payload) as VoicemailIndicator,
    deliveredVersion: Number(r.delivered_version),
    expiresAt: fromMs(r.expires_at),
  };
}

export class SqlMwiIndicatorRepo implements MwiIndicatorRepo {
  constructor(private readonly database: Database) {}

  async nextVersion(userId: string): Promise<number> {
    const r = await this.database.db
      .selectFrom("mwi_indicators")
      .select((eb) => eb.fn.max("version").as("v"))
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(r?.v ?? 0) + 1;
  }

  async takeVersion(userId: string): Promise<number> {
    const row = await this.database.write((db) =>
      db
        .insertInto("mwi_versions")
        .values((eb) => ({
          user_id: userId,
          version: eb
            .selectFrom("mwi_indicators")
            .select(sql<number>`coalesce(max(version), 0) + 1`.as("v"))
            .where("user_id", "=", userId),
        }))
        .onConflict((oc) =>
          oc.column("user_id").doUpdateSet({ version: sql<number>`mwi_versions.version + 1` }),
        )
        .returning("version")
        .executeTakeFirstOrThrow(),
    );
    return Number(row.version);
  }

  async put(slot: Omit<MwiIndicatorSlot, "deliveredVersion">): Promise<void> {
    await PUT_SLOT.run(this.database, [
      slot.userId,
      slot.clientId,
      slot.target,
      slot.version,
      JSON.stringify(slot.indicator),
      toMs(slot.expiresAt),
      Date.now(),
    ]);
  }

  async undelivered(now: Date, target?: string): Promise<MwiIndicatorSlot[]> {
    let q = this.database.db
      .selectFrom("mwi_indicators")
      .selectAll()
      .whereRef("delivered_version", "<", "version")
      .where("expires_at", ">", toMs(now));
    if (target !== undefined) q = q.where("target", "=", target);
    const rows = await q.orderBy("updated_at").execute();
    return rows.map(toSlot);
  }

  /** Shares its commit with concurrent writers' (group commit), so confirmations cost no fsync each. */
  async markDelivered(userId: string, clientId: string, version: number): Promise<void> {
    await this.markDeliveredAll([{ userId, clientId, version }]);
  }

  async markDeliveredAll(
    marks: ReadonlyArray<{ userId: string; clientId: string; version: number }>,
  ): Promise<void> {
    if (marks.length === 0) return;
    await this.database.transaction(async (tx) => {
      for (const { userId, clientId, version } of marks)
        await MARK_SLOT_DELIVERED.run(tx, [version, version, userId, clientId]);
    });
  }

  async commit(
    userId: string,
    slots: ReadonlyArray<Omit<MwiIndicatorSlot, "deliveredVersion">>,
    state?: MwiStateRow,
    retainOthers = true,
  ): Promise<void> {
    await this.database.transaction(async (tx) => {
      if (state) await new SqlMwiRepo(tx).put(state);
      const repo = new SqlMwiIndicatorRepo(tx);
      for (const slot of slots) await repo.put(slot);
      if (retainOthers) {
        await repo.retain(
          userId,
          slots.map((s) => s.clientId),
        );
      }
    });
  }

  async retain(userId: string, clientIds: readonly string[]): Promise<void> {
    let q = this.database.db.deleteFrom("mwi_indicators").where("user_id", "=", userId);
    if (clientIds.length > 0) q = q.where("client_id", "not in", [...clientIds]);
    await q.execute();
  }
}
