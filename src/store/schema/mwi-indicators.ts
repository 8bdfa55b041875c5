// Table `mwi_indicators`: the latest voicemail indicator per (user, IM client) and the version the
// client last acknowledged (README "Message waiting"). One row per client, overwritten on every
// change, is what coalesces an away client's backlog to one indicator with the latest state.

export interface MwiIndicatorDbRow {
  user_id: string;
  client_id: string;
  /** Canonical address of the client (web:alice/web, xmpp:alice@example.net). */
  target: string;
  version: number;
  /** The VoicemailIndicator as JSON. */
  payload: string;
  /** 0 until the client has any version. */
  delivered_version: number;
  /** Epoch ms after which an undelivered indicator is dropped (state itself stays in mwi_state). */
  expires_at: number;
  updated_at: number;
}

export const tableName = "mwi_indicators";

export type PartialDB = { [tableName]: MwiIndicatorDbRow };
