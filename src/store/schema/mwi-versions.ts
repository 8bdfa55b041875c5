// Table `mwi_versions`: the last MWI indicator version handed out per user (migration 009), so the
// nodes of a cluster order one user's indicators with one counter (docs/cluster.md).

export interface MwiVersionRow {
  user_id: string;
  version: number;
}

export const tableName = "mwi_versions";

export type PartialDB = { [tableName]: MwiVersionRow };
