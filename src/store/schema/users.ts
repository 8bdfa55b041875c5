// Table `users`: one row per user; the whole Profile is kept as JSON text so that profile fields
// can grow without a migration, while emails and phones get their own lookup tables.

export interface UserRow {
  id: string;
  display_name: string;
  /** JSON of core/profile Profile. */
  profile: string;
  password_hash: string | null;
  pin_hash: string | null;
  /** SIP digest HA1 values (hex) and the realm they were computed for (migration 002). */
  sip_realm: string | null;
  sip_ha1_md5: string | null;
  sip_ha1_sha256: string | null;
  /** When the SIP secret behind the HA1 values was issued, epoch ms; null: from the web password. */
  sip_secret_at: number | null;
  /** Epoch milliseconds. */
  created_at: number;
  updated_at: number;
}

export const tableName = "users";

export type PartialDB = { [tableName]: UserRow };
