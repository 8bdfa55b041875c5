// Table `phone_subscriptions`: phones' MWI subscriptions with the node holding each dialog
// (migration 011), so another node of a cluster takes them over (docs/cluster.md "Phones").

export interface PhoneSubscriptionRow {
  call_id: string;
  local_tag: string;
  user_id: string;
  node_id: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  /** The dialog and subscription as the telephone system wrote them (JSON). */
  state: string;
}

export const tableName = "phone_subscriptions";

export type PartialDB = { [tableName]: PhoneSubscriptionRow };
