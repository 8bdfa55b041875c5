// Table `audio_blobs`: audio bytes on PostgreSQL (store/audio-store.ts says why); unused on
// SQLite, where audio lives in files under dataDir/audio.

export interface AudioBlobRow {
  id: string;
  content_type: string;
  data: Uint8Array;
  /** Epoch milliseconds of the last write; null on blobs from before migration 007. */
  created_at: number | null;
}

export const tableName = "audio_blobs";

export type PartialDB = { [tableName]: AudioBlobRow };
