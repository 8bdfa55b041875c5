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
import type { DeliveryRow } from "./schema/index.ts";
import type { CommunicationsRepo, CommunicationWithDeliveries, NewDelivery } from "./types.ts";

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1000;

export class SqlCommunicationsRepo implements CommunicationsRepo {
  constructor(private readonly database: Database) {}

  async insertWithDeliveries(c: Communication, targets: NewDelivery[]): Promise<Delivery[]> {
    return this.database.transaction(async (tx) => {
      const inserted = await tx.db
        .insertInto("communications")
        .values({
          id: c.id,
          user_id: c.userId,
          kind: c.kind,
          direction: c.direction,
          thread_id: c.thread.threadId,
          parent_id: c.thread.parentId ?? null,
          received_at: toMs(c.receivedAt),
          audio_id: audioIdOf(c),
          payload: encodeCommunication(c),
        })
        .onConflict((oc) => oc.column("id").doNothing())
        .returning("id")
        .execute();
      if (inserted.length === 0) return deliveriesOf(tx, c.id);

      if (c.nativeRefs.length > 0) {
        await tx.db
          .insertInto("native_ids")
          .values(
            c.nativeRefs.map((r) => ({
              system: r.system,
              native_id: r.id,
              communication_id: c.id,
            })),
          )
          .onConflict((oc) => oc.columns(["system", "native_id"]).doNothing())
          .execute();
      }

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
      await tx.db.insertInto("deliveries").values(rows).execute();
      // The same order a repeated call reads back (created_at ties, then target).
      return rows.sort((a, b) => (a.target < b.target ? -1 : 1)).map(toDelivery);
    });
  }

  async get(id: string): Promise<Communication | undefined> {
    const row = await this.database.db
      .selectFrom("communications")
      .select("payload")
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? decodeCommunication(row.payload) : undefined;
  }

  async findByNativeId(system: string, nativeId: string): Promise<Communication | undefined> {
    const row = await this.database.db
      .selectFrom("native_ids")
      .innerJoin("communications", "communications.id", "native_ids.communication_id")
      .select("communications.payload")
      .where("native_ids.system", "=", system)
      .where("native_ids.native_id", "=", nativeId)
      .executeTakeFirst();
    return row ? decodeCommunication(row.payload) : undefined;
  }

  async addNativeId(communicationId: string, system: string, nativeId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const exists = await tx.db
        .selectFrom("communications")
        .select("id")
        .where("id", "=", communicationId)
        .executeTakeFirst();
      if (!exists) throw new NotFoundError(`no communication "${communicationId}"`);
      const inserted = await tx.db
        .insertInto("native_ids")
        .values({ system, native_id: nativeId, communication_id: communicationId })
        .onConflict((oc) => oc.columns(["system", "native_id"]).doNothing())
        .returning("communication_id")
        .execute();
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
