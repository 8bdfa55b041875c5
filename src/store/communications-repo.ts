// Communications and their deliveries: the durable hand-off point. insertWithDeliveries is what an
// adapter awaits before it acknowledges a sender (docs/architecture.md "Bad input and faults"), so
// it is atomic and idempotent on the communication id.

import { randomUUID } from "node:crypto";
import type { Communication } from "../core/communication.ts";
import type { Delivery } from "../core/delivery.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import {
  audioIdOf,
  decodeCommunication,
  encodeCommunication,
  encodeRouteOptions,
  optionalMs,
  toMs,
} from "./codec.ts";
import type { Database } from "./database.ts";
import { toDelivery } from "./outbox-repo.ts";
import { FixedSql, insertSql } from "./prepared.ts";
import type { DeliveryRow } from "./schema/index.ts";
import type { CommunicationsRepo, CommunicationWithDeliveries, NewDelivery } from "./types.ts";

// What every received message and every delivery runs: fixed SQL (prepared.ts).
const INSERT_COMMUNICATION = new FixedSql<{ id: string }>(
  'insert into "communications" ("id", "user_id", "kind", "direction", "thread_id", "parent_id", "received_at", "audio_id", "payload") values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do nothing returning "id"',
);
const INSERT_NATIVE_ID = new FixedSql<{ communication_id: string }>(
  'insert into "native_ids" ("system", "native_id", "communication_id") values (?, ?, ?) on conflict ("system", "native_id") do nothing returning "communication_id"',
);
const DELIVERY_COLUMNS = [
  "id",
  "communication_id",
  "user_id",
  "target",
  "route",
  "state",
  "attempts",
  "next_attempt_at",
  "lease_until",
  "expires_at",
  "last_error",
  "native_id",
  "created_at",
  "delivered_at",
] as const satisfies ReadonlyArray<keyof DeliveryRow>;
const INSERT_DELIVERY = new FixedSql(insertSql("deliveries", DELIVERY_COLUMNS));
const PAYLOAD_BY_NATIVE_ID = new FixedSql<{ payload: string }>(
  'select "communications"."payload" from "native_ids" inner join "communications" on "communications"."id" = "native_ids"."communication_id" where "native_ids"."system" = ? and "native_ids"."native_id" = ?',
);
const COMMUNICATION_EXISTS = new FixedSql<{ id: string }>(
  'select "id" from "communications" where "id" = ?',
);
const PAYLOAD_BY_ID = new FixedSql<{ payload: string }>(
  'select "payload" from "communications" where "id" = ?',
);

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1000;

export class SqlCommunicationsRepo implements CommunicationsRepo {
  constructor(private readonly database: Database) {}

  async insertWithDeliveries(c: Communication, targets: NewDelivery[]): Promise<Delivery[]> {
    return this.database.transaction(async (tx) => {
      const inserted = await INSERT_COMMUNICATION.rows(tx, [
        c.id,
        c.userId,
        c.kind,
        c.direction,
        c.thread.threadId,
        c.thread.parentId ?? null,
        toMs(c.receivedAt),
        audioIdOf(c),
        encodeCommunication(c),
      ]);
      if (inserted.length === 0) return deliveriesOf(tx, c.id);

      for (const r of c.nativeRefs) await INSERT_NATIVE_ID.run(tx, [r.system, r.id, c.id]);

      const now = Date.now();
      const seen = new Set<string>();
      const rows: DeliveryRow[] = [];
      for (const t of targets) {
        if (seen.has(t.target)) continue;
        seen.add(t.target);
        // Delivered by the adapter itself (a live relay): one attempt, and it succeeded.
        const delivered = t.deliveredAt !== undefined;
        // Claimed as it is stored: its first attempt starts now, under a lease like any claim.
        const claimed = !delivered && t.claimedUntil !== undefined;
        rows.push({
          id: randomUUID(),
          communication_id: c.id,
          user_id: c.userId,
          target: t.target,
          route: encodeRouteOptions(t.route),
          state: delivered ? "delivered" : claimed ? "inflight" : "pending",
          attempts: delivered || claimed ? 1 : 0,
          next_attempt_at: now,
          lease_until: claimed ? optionalMs(t.claimedUntil) : null,
          expires_at: optionalMs(t.expiresAt),
          last_error: null,
          native_id: delivered ? (t.nativeId ?? null) : null,
          created_at: now,
          delivered_at: optionalMs(t.deliveredAt),
        });
      }
      if (rows.length === 0) return [];
      for (const row of rows)
        await INSERT_DELIVERY.run(
          tx,
          DELIVERY_COLUMNS.map((k) => row[k]),
        );
      // The same order a repeated call reads back (created_at ties, then target).
      return rows.sort((a, b) => (a.target < b.target ? -1 : 1)).map(toDelivery);
    });
  }

  async get(id: string): Promise<Communication | undefined> {
    const row = await PAYLOAD_BY_ID.first(this.database, [id]);
    return row ? decodeCommunication(row.payload) : undefined;
  }

  async findByNativeId(system: string, nativeId: string): Promise<Communication | undefined> {
    const row = await PAYLOAD_BY_NATIVE_ID.first(this.database, [system, nativeId]);
    return row ? decodeCommunication(row.payload) : undefined;
  }

  async addNativeId(communicationId: string, system: string, nativeId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const exists = await COMMUNICATION_EXISTS.first(tx, [communicationId]);
      if (!exists) throw new NotFoundError(`no communication "${communicationId}"`);
      const inserted = await INSERT_NATIVE_ID.rows(tx, [system, nativeId, communicationId]);
      if (inserted.length > 0) return;
      const owner = await tx.db
        .selectFrom("native_ids")
        .select("communication_id")
        .where("system", "=", system)
        .where("native_id", "=", nativeId)
        .executeTakeFirst();
      if (owner && owner.communication_id !== communicationId) {
        throw new ConflictError(
          `${system} id "${nativeId}" already belongs to communication "${owner.communication_id}"`,
        );
      }
    });
  }

  async nativeIdsOf(communicationId: string): Promise<Array<{ system: string; nativeId: string }>> {
    const rows = await this.database.db
      .selectFrom("native_ids")
      .select(["system", "native_id"])
      .where("communication_id", "=", communicationId)
      .orderBy("system")
      .orderBy("native_id")
      .execute();
    return rows.map((r) => ({ system: r.system, nativeId: r.native_id }));
  }

  async listForUser(
    userId: string,
    opts: { limit?: number; before?: Date } = {},
  ): Promise<CommunicationWithDeliveries[]> {
    const limit = Math.min(
      Math.max(1, Math.floor(opts.limit ?? DEFAULT_LIST_LIMIT)),
      MAX_LIST_LIMIT,
    );
    const before = opts.before;
    const rows = await this.database.db
      .selectFrom("communications")
      .select(["id", "payload"])
      .where("user_id", "=", userId)
      .$if(before !== undefined, (qb) => qb.where("received_at", "<", toMs(before as Date)))
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const deliveries = await this.database.db
      .selectFrom("deliveries")
      .selectAll()
      .where(
        "communication_id",
        "in",
        rows.map((r) => r.id),
      )
      .orderBy("created_at")
      .orderBy("target")
      .execute();
    const byCommunication = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const list = byCommunication.get(d.communication_id) ?? [];
      list.push(toDelivery(d));
      byCommunication.set(d.communication_id, list);
    }
    return rows.map((r) => ({
      communication: decodeCommunication(r.payload),
      deliveries: byCommunication.get(r.id) ?? [],
    }));
  }
}

async function deliveriesOf(tx: Database, communicationId: string): Promise<Delivery[]> {
  const rows = await tx.db
    .selectFrom("deliveries")
    .selectAll()
    .where("communication_id", "=", communicationId)
    .orderBy("created_at")
    .orderBy("target")
    .execute();
  return rows.map(toDelivery);
}
