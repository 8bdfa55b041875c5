// Deleting one message of our voicemail store, as every path does it (the REST route, the
// retention sweep): the row first, then its audio, so a failure in between leaves an audio
// blob nothing names (the orphan sweep's to remove), never a message without its recording.

import type { Store, VoicemailRecord } from "./types.ts";

export type VoicemailDeleted =
  /** Not there (another node or request deleted it first): nothing done, nothing to report. */
  | { deleted: false }
  /** The row is gone; `audioError` when its audio could not be removed. */
  | { deleted: true; audioError?: unknown };

export async function deleteVoicemailMessage(
  store: Pick<Store, "voicemail" | "audio">,
  message: Pick<VoicemailRecord, "userId" | "id" | "audioId">,
): Promise<VoicemailDeleted> {
  if (!(await store.voicemail.delete(message.userId, message.id))) return { deleted: false };
  try {
    await store.audio.delete(message.audioId);
    return { deleted: true };
  } catch (audioError) {
    return { deleted: true, audioError };
  }
}
