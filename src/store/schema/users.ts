// Table `users`: one row per user; the whole Profile is kept as JSON text so that profile fields
// can grow without a migration, while emails and phones get their own lookup tables.

export interface UserRow {
  id: string;
  display_name: string;
  /** JSON of core/profile Profile. */
  profile: string;
  password_hash: string | null;
  pin_hash: string | null;
  /** Epoch milliseconds. */
  created_at: number;
  updated_at: number;
}

export const tableName = "users";

export type PartialDB = { [tableName]: UserRow };
