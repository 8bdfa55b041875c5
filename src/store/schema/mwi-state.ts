// Table `mwi_state`: one row per (user, voicemail system) with its message counts and last
// caller (README "Message waiting"); the per-user aggregate is computed from these rows.

export interface MwiStateDbRow {
  user_id: string;
  system_id: string;
  new_count: number;
  old_count: number;
  urgent_new: number;
  urgent_old: number;
  /** 0 or 1. */
  enabled: number;
  last_caller_ani: string | null;
  last_caller_dnis: string | null;
  /** Epoch milliseconds, as updated_at. */
  last_caller_at: number | null;
  updated_at: number;
}

export const tableName = "mwi_state";

export type PartialDB = { [tableName]: MwiStateDbRow };
