// Table `pin_lockouts`: a mailbox's wrong-PIN count, ban history and the callers counted in the
// current window (migration 006). Times are epoch milliseconds; `callers` is a JSON array.

export interface PinLockoutRow {
  user_id: string;
  failures: number;
  window_start: number;
  strikes: number;
  banned_until: number;
  last_failure: number;
  callers: string;
}

export const tableName = "pin_lockouts";

export type PartialDB = { [tableName]: PinLockoutRow };
