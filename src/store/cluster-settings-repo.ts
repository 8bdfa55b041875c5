// Values the nodes of a cluster share (table cluster_settings): the first node to ask writes its
// proposal, every node — that one included — reads back the one that was kept, so nodes that
// start at the same moment still agree.

import type { Database } from "./database.ts";
import type { ClusterSettings } from "./types.ts";

export class SqlClusterSettingsRepo implements ClusterSettings {
  constructor(private readonly database: Database) {}

  async agree(name: string, proposal: string): Promise<string> {
    await this.database.write((db) =>
      db
        .insertInto("cluster_settings")
        .values({ name, value: proposal })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute(),
    );
    const row = await this.database.db
      .selectFrom("cluster_settings")
      .select("value")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}
