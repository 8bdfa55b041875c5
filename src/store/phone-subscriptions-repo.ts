// Phones' MWI subscriptions shared by the nodes of a cluster (table phone_subscriptions): each
// node writes the ones it holds; when a node died, one survivor moves its rows to itself with one
// UPDATE … RETURNING, so of two survivors adopting at once each row goes to one.

import type { PhoneSubscriptionsRepo, SharedSubscription } from "../core/repositories.ts";
import type { Database } from "./database.ts";
import type { PhoneSubscriptionRow } from "./schema/index.ts";

function subscriptionOf(row: PhoneSubscriptionRow): SharedSubscription {
  return {
    callId: row.call_id,
    localTag: row.local_tag,
    userId: row.user_id,
    nodeId: row.node_id,
    expiresAt: new Date(Number(row.expires_at)),
    state: row.state,
  };
}

export class SqlPhoneSubscriptionsRepo implements PhoneSubscriptionsRepo {
  constructor(private readonly database: Database) {}

  async put(s: SharedSubscription): Promise<void> {
    const row: PhoneSubscriptionRow = {
      call_id: s.callId,
      local_tag: s.localTag,
      user_id: s.userId,
      node_id: s.nodeId,
      expires_at: s.expiresAt.getTime(),
      state: s.state,
    };
    const { call_id: _c, local_tag: _t, ...changed } = row;
    await this.database.write((db) =>
      db
        .insertInto("phone_subscriptions")
        .values(row)
        .onConflict((oc) => oc.columns(["call_id", "local_tag"]).doUpdateSet(changed))
        .execute(),
    );
  }

  async remove(callId: string, localTag: string, nodeId: string): Promise<void> {
    await this.database.write((db) =>
      db
        .deleteFrom("phone_subscriptions")
        .where("call_id", "=", callId)
        .where("local_tag", "=", localTag)
        .where("node_id", "=", nodeId)
        .execute(),
    );
  }

  async holders(exceptNodeId: string): Promise<string[]> {
    const rows = await this.database.db
      .selectFrom("phone_subscriptions")
      .select("node_id")
      .distinct()
      .where("node_id", "<>", exceptNodeId)
      .execute();
    return rows.map((r) => r.node_id);
  }

  async adopt(from: string, to: string, now: Date): Promise<SharedSubscription[]> {
    const rows = await this.database.write(async (db) => {
      await db
        .deleteFrom("phone_subscriptions")
        .where("node_id", "=", from)
        .where("expires_at", "<=", now.getTime())
        .execute();
      return db
        .updateTable("phone_subscriptions")
        .set({ node_id: to })
        .where("node_id", "=", from)
        .returningAll()
        .execute();
    });
    return rows.map(subscriptionOf);
  }
}
