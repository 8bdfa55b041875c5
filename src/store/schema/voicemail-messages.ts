// Table `voicemail_messages`: our own voicemail store (store/types VoicemailRecord); the audio
// itself lives in the audio store under audio_id.

export interface VoicemailMessageRow {
  id: string;
  user_id: string;
  communication_id: string | null;
  ani: string | null;
  dnis: string | null;
  /** Epoch milliseconds. */
  received_at: number;
  duration_ms: number;
  audio_id: string;
  /** 0 or 1. */
  urgent: number;
  state: "new" | "saved";
  transcript: string | null;
}

export const tableName = "voicemail_messages";

export type PartialDB = { [tableName]: VoicemailMessageRow };
