// Table `deliveries`: the durable outbox, one row per (communication, target); its state column
// follows core/delivery DeliveryState.

import type { DeliveryState } from "../../core/delivery.ts";

export interface DeliveryRow {
  id: string;
  communication_id: string;
  user_id: string;
  target: string;
  /** JSON of core/routing RouteOptions as matched at receive; null on rows from before 007. */
  route: string | null;
  state: DeliveryState;
  attempts: number;
  /** Epoch milliseconds, as every time column below. */
  next_attempt_at: number;
  lease_until: number | null;
  expires_at: number | null;
  last_error: string | null;
  native_id: string | null;
  created_at: number;
  delivered_at: number | null;
}

export const tableName = "deliveries";

export type PartialDB = { [tableName]: DeliveryRow };
