// Phones' registrations shared by the nodes of a cluster (table sip_registrations): each node
// writes the bindings its registrar holds, reads every node's for a user, and deletes only the
// rows that still name it, so a phone that moved to another node keeps its row there.

import type { RegistrationsRepo, SharedRegistration } from "../core/repositories.ts";
import type { Database } from "./database.ts";
import type { SipRegistrationRow } from "./schema/index.ts";

export class SqlRegistrationsRepo implements RegistrationsRepo {
  constructor(private readonly database: Database) {}

  async put(r: SharedRegistration): Promise<void> {
    const row: SipRegistrationRow = {
      aor: r.aor,
      contact_key: r.contactKey,
      user_id: r.userId,
      contact: r.contact,
      expires_at: r.expiresAt.getTime(),
      registered_at: r.registeredAt.getTime(),
      node_id: r.nodeId,
      path: r.path?.length ? JSON.stringify(r.path) : null,
      direct: r.direct ? 1 : 0,
    };
    const { aor: _aor, contact_key: _key, ...changed } = row;
    await this.database.write((db) =>
      db
        .insertInto("sip_registrations")
        .values(row)
        .onConflict((oc) => oc.columns(["aor", "contact_key"]).doUpdateSet(changed))
        .execute(),
    );
  }

  async remove(aor: string, contactKey: string, nodeId: string): Promise<void> {
    await this.database.write((db) =>
      db
        .deleteFrom("sip_registrations")
        .where("aor", "=", aor)
        .where("contact_key", "=", contactKey)
        .where("node_id", "=", nodeId)
        .execute(),
    );
  }

  async ofUser(userId: string, now: Date): Promise<SharedRegistration[]> {
    const rows = await this.database.db
      .selectFrom("sip_registrations")
      .selectAll()
      .where("user_id", "=", userId)
      .where("expires_at", ">", now.getTime())
      .orderBy("registered_at", "desc")
      .execute();
    return rows.map(
      (row): SharedRegistration => ({
        aor: row.aor,
        contactKey: row.contact_key,
        userId: row.user_id,
        contact: row.contact,
        expiresAt: new Date(Number(row.expires_at)),
        registeredAt: new Date(Number(row.registered_at)),
        nodeId: row.node_id,
        ...(row.path ? { path: JSON.parse(row.path) as string[] } : {}),
        direct: Number(row.direct) === 1,
      }),
    );
  }

  async sweep(before: Date): Promise<number> {
    const result = await this.database.write((db) =>
      db
        .deleteFrom("sip_registrations")
        .where("expires_at", "<", before.getTime())
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
