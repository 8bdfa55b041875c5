// Table `cluster_settings`: values every node of a cluster must agree on, written once by
// whichever node comes first (migration 008) — the server secret that keys tokens, nonces and
// audio links (docs/cluster.md "What lives where").

export interface ClusterSettingRow {
  name: string;
  value: string;
}

export const tableName = "cluster_settings";

export type PartialDB = { [tableName]: ClusterSettingRow };
