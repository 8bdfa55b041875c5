// Table `sip_registrations`: every node's phone registrations (migration 010), so any node of a
// cluster finds a user's phones and the node holding each one's flow (docs/cluster.md "Phones").

export interface SipRegistrationRow {
  aor: string;
  contact_key: string;
  user_id: string;
  contact: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  registered_at: number;
  node_id: string;
  /** JSON array of the Path header values, or null. */
  path: string | null;
  /** 1 when the phone is reached at its Contact from any node, else 0. */
  direct: number;
}

export const tableName = "sip_registrations";

export type PartialDB = { [tableName]: SipRegistrationRow };
