// Audio blobs (WAV and friends). SQLite deployments keep them as files under dataDir/audio,
// written atomically (temp file, fsync, rename, fsync dir) so a crash never leaves half a file.
// PostgreSQL deployments keep them in the audio_blobs bytea table instead: one backup covers
// everything, a blob commits in the same transaction domain as the rows that name it, and
// several nodes share them without a shared filesystem.

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ValidationError } from "../core/errors.ts";
import { toMs } from "./codec.ts";
import type { Database } from "./database.ts";
import type { AudioStore } from "./types.ts";

/** Ids become file names: keep them to a safe alphabet on every backend alike. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Whether `id` is one an audio blob may have (a name derived from another id may not be). */
export function isAudioId(id: string): boolean {
  return ID.test(id);
}

function checkId(id: string): void {
  if (!isAudioId(id)) throw new ValidationError("audioId", "use 1–128 letters, digits, _ or -");
}

/** File extension per content type; the extension is how a file remembers its type. */
const EXTENSIONS: Record<string, string> = {
  "audio/wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/webm": "webm",
};
const CONTENT_TYPES = Object.fromEntries(Object.entries(EXTENSIONS).map(([t, e]) => [e, t]));
/** A stored blob's file name: the id, then the extension of its type. */
const BLOB_FILE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,127})\.([a-z0-9]+)$/;
/** A write under way, or one a crash cut short (put's temp file). */
const TEMP_FILE = /^\.[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.[0-9a-f]+\.tmp$/;
const ALIASES: Record<string, string> = {
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/mp3": "audio/mpeg",
};

/** The one name every backend stores for a type ("audio/x-wav" → "audio/wav"). */
function canonicalType(contentType: string): string {
  const base = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const type = ALIASES[base] ?? base;
  if (!EXTENSIONS[type]) {
    throw new ValidationError("contentType", `unsupported audio type "${contentType}"`);
  }
  return type;
}

function extensionOf(contentType: string): string {
  return EXTENSIONS[canonicalType(contentType)] as string;
}

export class FileAudioStore implements AudioStore {
  constructor(private readonly dir: string) {}

  async put(id: string, data: Uint8Array, contentType: string): Promise<void> {
    checkId(id);
    const ext = extensionOf(contentType);
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${id}.${randomBytes(6).toString("hex")}.tmp`);
    const file = await open(tmp, "wx");
    try {
      await file.writeFile(data);
      await file.sync();
    } catch (err) {
      await file.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await file.close();
    await rename(tmp, join(this.dir, `${id}.${ext}`));
    // A previous blob under the same id with another type must not shadow this one.
    for (const other of Object.values(EXTENSIONS)) {
      if (other !== ext) await rm(join(this.dir, `${id}.${other}`), { force: true });
    }
    await syncDir(this.dir);
  }

  async get(id: string): Promise<{ data: Uint8Array; contentType: string } | undefined> {
    checkId(id);
    for (const [ext, contentType] of Object.entries(CONTENT_TYPES)) {
      try {
        const data = await readFile(join(this.dir, `${id}.${ext}`));
        return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return undefined;
  }

  async listWrittenBetween(since: Date, before: Date): Promise<string[]> {
    const ids: string[] = [];
    for (const name of await this.#filesWritten(before, since)) {
      const m = BLOB_FILE.exec(name);
      if (m && CONTENT_TYPES[m[2] ?? ""]) ids.push(m[1] ?? "");
    }
    return ids;
  }

  async dropPartialWrites(cutoff: Date): Promise<number> {
    const stale = (await this.#filesWritten(cutoff)).filter((n) => TEMP_FILE.test(n));
    for (const name of stale) await rm(join(this.dir, name), { force: true });
    return stale.length;
  }

  async #filesWritten(before: Date, since?: Date): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const old: string[] = [];
    for (const name of names) {
      if (!BLOB_FILE.test(name) && !TEMP_FILE.test(name)) continue;
      try {
        const { mtimeMs } = await stat(join(this.dir, name));
        if (mtimeMs < before.getTime() && (!since || mtimeMs >= since.getTime())) old.push(name);
      } catch (err) {
        // Deleted or renamed since the listing: nothing to sweep.
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return old;
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    for (const ext of Object.values(EXTENSIONS)) {
      try {
        await unlink(join(this.dir, `${id}.${ext}`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }
}

/** The rename is durable only once the directory entry is on disk too. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** For ":memory:" stores (tests, trials): nothing touches the disk. */
export class MemoryAudioStore implements AudioStore {
  private readonly blobs = new Map<
    string,
    { data: Uint8Array; contentType: string; writtenAt: number }
  >();

  async put(id: string, data: Uint8Array, contentType: string): Promise<void> {
    checkId(id);
    this.blobs.set(id, {
      data: Uint8Array.from(data),
      contentType: canonicalType(contentType),
      writtenAt: Date.now(),
    });
  }

  async dropPartialWrites(): Promise<number> {
    return 0;
  }

  async listWrittenBetween(since: Date, before: Date): Promise<string[]> {
    return [...this.blobs]
      .filter(([, b]) => b.writtenAt >= since.getTime() && b.writtenAt < before.getTime())
      .map(([id]) => id);
  }

  async get(id: string): Promise<{ data: Uint8Array; contentType: string } | undefined> {
    checkId(id);
    const blob = this.blobs.get(id);
    return blob ? { data: Uint8Array.from(blob.data), contentType: blob.contentType } : undefined;
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    this.blobs.delete(id);
  }
}

export class PgAudioStore implements AudioStore {
  constructor(private readonly database: Database) {}

  async put(id: string, data: Uint8Array, contentType: string): Promise<void> {
    checkId(id);
    const type = canonicalType(contentType);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const at = Date.now();
    await this.database.db
      .insertInto("audio_blobs")
      .values({ id, content_type: type, data: bytes, created_at: at })
      .onConflict((oc) =>
        oc.column("id").doUpdateSet({ content_type: type, data: bytes, created_at: at }),
      )
      .execute();
  }

  /** A blob is one row written in its own statement: no write leaves half of one. */
  async dropPartialWrites(): Promise<number> {
    return 0;
  }

  async listWrittenBetween(since: Date, before: Date): Promise<string[]> {
    // Rows from before migration 007 have no created_at: older than any window, never swept.
    const rows = await this.database.db
      .selectFrom("audio_blobs")
      .select("id")
      .where("created_at", ">=", toMs(since))
      .where("created_at", "<", toMs(before))
      .execute();
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<{ data: Uint8Array; contentType: string } | undefined> {
    checkId(id);
    const row = await this.database.db
      .selectFrom("audio_blobs")
      .select(["data", "content_type"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return undefined;
    const data = row.data;
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      contentType: row.content_type,
    };
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    await this.database.db.deleteFrom("audio_blobs").where("id", "=", id).execute();
  }
}
