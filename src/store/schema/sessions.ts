// Table `sessions`: one row per session token issued by POST /session; a token verifies only
// while its row exists, so deleting the row revokes it at once (migration 004).

export interface SessionRow {
  /** The session id inside the token (http/tokens.ts). */
  id: string;
  user_id: string;
  /** Epoch milliseconds. */
  created_at: number;
  expires_at: number;
  /** Source address of the login and its User-Agent, to tell sessions apart when listing. */
  source: string | null;
  user_agent: string | null;
}

export const tableName = "sessions";

export type PartialDB = { [tableName]: SessionRow };
