// Table `communications`: the canonical Communication as JSON, with the columns we filter and
// sort on (user, kind, thread, time) pulled out beside it.

export interface CommunicationRow {
  id: string;
  user_id: string;
  kind: string;
  direction: string;
  thread_id: string;
  parent_id: string | null;
  /** Epoch milliseconds. */
  received_at: number;
  /** The recording a voice communication names (body.audioId); null for text. */
  audio_id: string | null;
  /** JSON of the whole core/communication Communication. */
  payload: string;
}

export const tableName = "communications";

export type PartialDB = { [tableName]: CommunicationRow };
