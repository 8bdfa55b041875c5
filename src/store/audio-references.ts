// Which stored audio is named by a committed row: a communication's recording (its audio_id
// column, migration 007) or a voicemail message's. What no row names is an orphan to sweep.

import type { Database } from "./database.ts";

/** Ids per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

export async function audioInUse(
  database: Database,
  audioIds: readonly string[],
): Promise<Set<string>> {
  const used = new Set<string>();
  for (let i = 0; i < audioIds.length; i += CHUNK) {
    const ids = audioIds.slice(i, i + CHUNK);
    const rows = await database.db
      .selectFrom("communications")
      .select("audio_id as id")
      .where("audio_id", "in", ids)
      .union((db) =>
        db.selectFrom("voicemail_messages").select("audio_id as id").where("audio_id", "in", ids),
      )
      .execute();
    for (const r of rows) if (r.id !== null) used.add(r.id);
  }
  return used;
}
