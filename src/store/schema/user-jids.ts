// Table `user_jids`: bare XMPP JID (lower-cased, no resource) → user, unique, so that one JID can
// never belong to two users (whose chats would then reach the wrong one) — migration 004.

export interface UserJidRow {
  /** core/profile.ts jidKey: bare and lower case. */
  jid: string;
  user_id: string;
}

export const tableName = "user_jids";

export type PartialDB = { [tableName]: UserJidRow };
