// The outbox: deliveries move pending → inflight (leased) → delivered | pending (retry) |
// failed | held → expired. Claims are safe with several workers: on PostgreSQL the due rows are
// locked with FOR UPDATE SKIP LOCKED; SQLite has one writer per file and one process.

import { sql } from "kysely";
import { type Delivery, type DeliveryState, MAIL_RELAY_SHARE } from "../core/delivery.ts";
import { NotFoundError } from "../core/errors.ts";
import { decodeRouteOptions, fromMs, optional, optionalDate, toMs } from "./codec.ts";
import type { Database } from "./database.ts";
import { FixedSql } from "./prepared.ts";
import type { DeliveryRow } from "./schema/index.ts";
import type { OutboxRepo, TargetCap } from "./types.ts";

/** Every delivery ends with it: fixed SQL (prepared.ts). A native id already known is kept. */
const MARK_DELIVERED = new FixedSql(
  'update "deliveries" set "state" = \'delivered\', "delivered_at" = ?, "lease_until" = null, "native_id" = coalesce(?, "native_id") where "id" = ?',
);

/** core/delivery.ts shareOf in SQL, over a target column: every mailto: target is one share. */
const shareSql = (column: string) =>
  sql.raw(
    `(case when ${column} like '${MAIL_RELAY_SHARE}%' then '${MAIL_RELAY_SHARE}' else ${column} end)`,
  );
const SHARE = shareSql("target");
const SHARE_OF_RANKED = shareSql("ranked.target");

export function toDelivery(row: DeliveryRow): Delivery {
  const d: Delivery = {
    id: row.id,
    communicationId: row.communication_id,
    userId: row.user_id,
    target: row.target,
    state: row.state,
    attempts: Number(row.attempts),
    nextAttemptAt: fromMs(row.next_attempt_at),
    createdAt: fromMs(row.created_at),
  };
  const route = decodeRouteOptions(row.route);
  if (route) d.route = route;
  const leaseUntil = optionalDate(row.lease_until);
  if (leaseUntil) d.leaseUntil = leaseUntil;
  const expiresAt = optionalDate(row.expires_at);
  if (expiresAt) d.expiresAt = expiresAt;
  const lastError = optional(row.last_error);
  if (lastError !== undefined) d.lastError = lastError;
  const nativeId = optional(row.native_id);
  if (nativeId !== undefined) d.nativeId = nativeId;
  const deliveredAt = optionalDate(row.delivered_at);
  if (deliveredAt) d.deliveredAt = deliveredAt;
  return d;
}

type DeliveryChange = Partial<Omit<DeliveryRow, "id">>;

export class SqlOutboxRepo implements OutboxRepo {
  constructor(private readonly database: Database) {}

  async claimDue(
    now: Date,
    limit: number,
    leaseMs: number,
    perTarget?: number | TargetCap,
  ): Promise<Delivery[]> {
    const n = Math.floor(limit);
    if (n < 1) return [];
    const at = toMs(now);
    const pg = this.database.dialect === "postgres";
    if (perTarget !== undefined)
      return this.#claimCapped(
        at,
        n,
        leaseMs,
        typeof perTarget === "number"
          ? { sending: perTarget, awaiting: 0, awaitingHere: new Map() }
          : perTarget,
      );
    const rows = await this.database.transaction((tx) =>
      tx.db
        .with("due", (db) =>
          db
            .selectFrom("deliveries")
            .select("id")
            .where((eb) =>
              eb.or([
                eb.and([eb("state", "=", "pending"), eb("next_attempt_at", "<=", at)]),
                eb.and([eb("state", "=", "inflight"), eb("lease_until", "<=", at)]),
              ]),
            )
            .orderBy("next_attempt_at")
            .limit(n)
            // Rows another worker has locked are passed over, not waited for.
            .$if(pg, (qb) => qb.forUpdate().skipLocked()),
        )
        .updateTable("deliveries")
        .set({
          state: "inflight",
          lease_until: at + leaseMs,
          attempts: sql<number>`attempts + 1`,
        })
        .where("id", "in", (eb) => eb.selectFrom("due").select("due.id"))
        .returningAll()
        .execute(),
    );
    return rows
      .map(toDelivery)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  /**
   * The due rows, oldest first, but per target at most `cap.sending` being sent counting those
   * already under way (on any node), and `cap.awaiting` more waiting for confirmation: one
   * target that stalls holds that many slots, never all. The ranking looks at a window of the
   * oldest due rows, wide enough that a stalled target's backlog does not fill it.
   */
  async #claimCapped(at: number, n: number, leaseMs: number, cap: TargetCap): Promise<Delivery[]> {
    const pg = this.database.dialect === "postgres";
    const window = Math.max(1024, n * 64);
    const sending = Math.max(1, cap.sending);
    const inflight = sending + Math.max(0, cap.awaiting);
    const told = [...cap.awaitingHere];
    const awaiting =
      told.length === 0
        ? sql`select cast(null as text), 0 where 1 = 0`
        : sql`values ${sql.join(told.map(([share, k]) => sql`(${share}, cast(${k} as integer))`))}`;
    const rows = await this.database.transaction(async (tx) => {
      const result = await sql<DeliveryRow>`
        with candidates as ${sql.raw(pg ? "materialized " : "")}(
          select id, target, next_attempt_at from deliveries
          where (state = 'pending' and next_attempt_at <= ${at})
             or (state = 'inflight' and lease_until <= ${at})
          order by next_attempt_at
          limit ${window}
          ${sql.raw(pg ? "for update skip locked" : "")}
        ),
        ranked as (
          select id, target, next_attempt_at,
            row_number() over (partition by ${SHARE} order by next_attempt_at, id) as rank
          from candidates
        ),
        busy as (
          select ${SHARE} as share, count(*) as n from deliveries
          where state = 'inflight' and lease_until > ${at}
          group by ${SHARE}
        ),
        awaiting(share, n) as (${awaiting}),
        due as (
          select ranked.id from ranked
          left join busy on busy.share = ${SHARE_OF_RANKED}
          left join awaiting on awaiting.share = ${SHARE_OF_RANKED}
          where ranked.rank + coalesce(busy.n, 0) - coalesce(awaiting.n, 0) <= ${sending}
            and ranked.rank + coalesce(busy.n, 0) <= ${inflight}
          order by ranked.next_attempt_at
          limit ${n}
        )
        update deliveries
        set state = 'inflight', lease_until = ${at + leaseMs}, attempts = attempts + 1
        where id in (select id from due)
        returning *`.execute(tx.db);
      return result.rows;
    });
    return rows
      .map(toDelivery)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  async markDelivered(id: string, at: Date, nativeId?: string): Promise<void> {
    const changed = await this.database.transaction((tx) =>
      MARK_DELIVERED.changed(tx, [toMs(at), nativeId ?? null, id]),
    );
    if (changed === 0) throw new NotFoundError(`no delivery "${id}"`);
  }

  async renewLease(id: string, until: Date): Promise<boolean> {
    const r = await this.database.write((db) =>
      db
        .updateTable("deliveries")
        .set({ lease_until: toMs(until) })
        .where("id", "=", id)
        .where("state", "=", "inflight")
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  async markRetry(id: string, error: string, next: Date): Promise<void> {
    await this.change(id, {
      state: "pending",
      last_error: error,
      next_attempt_at: toMs(next),
      lease_until: null,
    });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.change(id, { state: "failed", last_error: error, lease_until: null });
  }

  async hold(id: string, reason: string, expiresAt: Date): Promise<void> {
    await this.change(id, {
      state: "held",
      last_error: reason,
      expires_at: toMs(expiresAt),
      lease_until: null,
    });
  }

  async releaseHeld(target: string, now: Date): Promise<number> {
    const res = await this.database.write((db) =>
      db
        .updateTable("deliveries")
        .set({ state: "pending", next_attempt_at: toMs(now) })
        .where("target", "=", target)
        .where("state", "=", "held")
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows);
  }

  async expireDue(now: Date): Promise<number> {
    const res = await this.database.write((db) =>
      db
        .updateTable("deliveries")
        .set({ state: "expired", lease_until: null })
        .where("state", "in", ["held", "pending"])
        .where("expires_at", "is not", null)
        .where("expires_at", "<=", toMs(now))
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const row = await this.database.db
      .selectFrom("deliveries")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toDelivery(row) : undefined;
  }

  async requeueInflight(now: Date): Promise<number> {
    const res = await this.database.write((db) =>
      db
        .updateTable("deliveries")
        .set({ state: "pending", next_attempt_at: toMs(now), lease_until: null })
        .where("state", "=", "inflight")
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows);
  }

  async nextDueAt(): Promise<Date | undefined> {
    const row = await this.database.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.min("next_attempt_at").as("due"))
      .where("state", "=", "pending")
      .executeTakeFirst();
    return row?.due == null ? undefined : fromMs(row.due);
  }

  async countByState(): Promise<Array<{ state: DeliveryState; scheme: string; count: number }>> {
    const scheme =
      this.database.dialect === "postgres"
        ? sql<string>`split_part(target, ':', 1)`
        : sql<string>`case when instr(target, ':') > 0 then substr(target, 1, instr(target, ':') - 1) else target end`;
    const rows = await this.database.db
      .selectFrom("deliveries")
      .select((eb) => ["state", scheme.as("scheme"), eb.fn.countAll().as("count")])
      .groupBy(["state", scheme])
      .orderBy("state")
      .orderBy("scheme")
      .execute();
    return rows.map((r) => ({ state: r.state, scheme: r.scheme, count: Number(r.count) }));
  }

  private async change(id: string, set: DeliveryChange): Promise<void> {
    const res = await this.database.write((db) =>
      db.updateTable("deliveries").set(set).where("id", "=", id).executeTakeFirst(),
    );
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError(`no delivery "${id}"`);
  }
}
