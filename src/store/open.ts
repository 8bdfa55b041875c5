// The one factory that picks the dialect (docs/architecture.md "Choices"): "sqlite" → a
// better-sqlite3 file under dataDir, ":memory:" → an in-memory SQLite database, "postgres://…" → a
// pg pool on one schema. It migrates to the latest schema before it hands the store out.

import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { ConfigError } from "../core/errors.ts";
import { audioInUse } from "./audio-references.ts";
import { FileAudioStore, MemoryAudioStore, PgAudioStore } from "./audio-store.ts";
import { SqlClusterSettingsRepo } from "./cluster-settings-repo.ts";
import { SqlCommunicationsRepo } from "./communications-repo.ts";
import { Database } from "./database.ts";
import type { GroupCommitOptions } from "./group-commit.ts";
import { SqlMwiIndicatorRepo } from "./mwi-indicator-repo.ts";
import { SqlMwiRepo } from "./mwi-repo.ts";
import { SqlOutboxRepo } from "./outbox-repo.ts";
import { SqlPhoneSubscriptionsRepo } from "./phone-subscriptions-repo.ts";
import { SqlPinLockoutsRepo } from "./pin-lockouts-repo.ts";
import { SqlRegistrationsRepo } from "./registrations-repo.ts";
import type { DatabaseSchema } from "./schema/index.ts";
import { SqlSessionsRepo } from "./sessions-repo.ts";
import { directSql, withCachedStatements } from "./sqlite-statements.ts";
import type { AudioStore, Store, StoreOptions, StoreTransaction } from "./types.ts";
import { eraseUser, type UserErasure } from "./user-erasure.ts";
import { SqlUsersRepo } from "./users-repo.ts";
import { SqlVoicemailRepo } from "./voicemail-repo.ts";
import { commitWatcher, DurableSqliteDialect, WalSync } from "./wal-sync.ts";

export const SQLITE_FILE = "omnivox.sqlite";
const PG_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
/** How long a SQLite writer waits for another connection's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

class SqlStore implements Store {
  readonly users;
  readonly sessions;
  readonly communications;
  readonly outbox;
  readonly mwi;
  readonly mwiIndicators;
  readonly voicemail;
  readonly pinLockouts;
  readonly clusterSettings;
  readonly registrations;
  readonly phoneSubscriptions;

  readonly probeWrite?: () => Promise<void>;

  constructor(
    readonly database: Database,
    readonly audio: AudioStore,
  ) {
    this.users = new SqlUsersRepo(database);
    this.sessions = new SqlSessionsRepo(database);
    this.communications = new SqlCommunicationsRepo(database);
    this.outbox = new SqlOutboxRepo(database);
    this.mwi = new SqlMwiRepo(database);
    this.mwiIndicators = new SqlMwiIndicatorRepo(database);
    this.voicemail = new SqlVoicemailRepo(database);
    this.pinLockouts = new SqlPinLockoutsRepo(database);
    this.clusterSettings = new SqlClusterSettingsRepo(database);
    this.registrations = new SqlRegistrationsRepo(database);
    this.phoneSubscriptions = new SqlPhoneSubscriptionsRepo(database);

    if (database.dialect === "postgres") this.probeWrite = () => probePostgresWrite(database);
  }

  get dialect() {
    return this.database.dialect;
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.database.transaction((tx) =>
      fn({
        communications: new SqlCommunicationsRepo(tx),
        outbox: new SqlOutboxRepo(tx),
        voicemail: new SqlVoicemailRepo(tx),
        onCommit: (hook) => tx.onCommit(hook),
      }),
    );
  }

  eraseUser(userId: string): Promise<UserErasure | undefined> {
    return eraseUser(this.database, this.audio, userId);
  }

  audioInUse(audioIds: readonly string[]): Promise<Set<string>> {
    return audioInUse(this.database, audioIds);
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.database.db);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.database.destroy();
  }
}

class RolledBack extends Error {}

/** Rows written and rolled back still take pages in PostgreSQL: a full disk fails the insert. */
async function probePostgresWrite(database: Database): Promise<void> {
  try {
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("audio_blobs")
        .values({
          id: `probe-${randomBytes(8).toString("hex")}`,
          content_type: "audio/wav",
          data: randomBytes(64 * 1024),
        })
        .execute();
      throw new RolledBack();
    });
  } catch (err) {
    if (!(err instanceof RolledBack)) throw err;
  }
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const database = await openDatabase(opts);
  try {
    await database.migrate();
  } catch (err) {
    await database.destroy();
    throw err;
  }
  const audio =
    database.dialect === "postgres"
      ? new PgAudioStore(database)
      : opts.database === ":memory:"
        ? new MemoryAudioStore()
        : new FileAudioStore(join(opts.dataDir, "audio"));
  return new SqlStore(database, audio);
}

/** The database alone, not yet migrated (openStore migrates it). */
export async function openDatabase(opts: StoreOptions): Promise<Database> {
  if (opts.database === "sqlite") {
    await mkdir(opts.dataDir, { recursive: true });
    return openSqlite(join(opts.dataDir, SQLITE_FILE), opts.groupCommit);
  }
  if (opts.database === ":memory:") return openSqlite(":memory:", opts.groupCommit);
  if (/^postgres(ql)?:\/\//.test(opts.database)) {
    return openPostgres(opts.database, opts.pgSchema ?? "public", opts.groupCommit);
  }
  throw new ConfigError(
    `database: expected "sqlite", ":memory:" or a postgres:// URL, got "${redact(opts.database)}"`,
  );
}

function openSqlite(file: string, group?: GroupCommitOptions): Database {
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma("foreign_keys = ON");
  if (file === ":memory:") {
    const database = withCachedStatements(sqlite);
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
    return Database.create(db, "sqlite", { group, direct: directSql(database) });
  }
  // WAL lets readers run beside the writer. Every commit is on disk before we acknowledge a
  // sender (SMTP 250, SIP 200, API 201): SQLite appends it to the WAL (synchronous=NORMAL) and
  // wal-sync.ts syncs the WAL off the event loop before the commit's promise settles.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const wal = new WalSync(`${file}-wal`);
  const database = withCachedStatements(sqlite, commitWatcher(sqlite, wal));
  const db = new Kysely<DatabaseSchema>({ dialect: new DurableSqliteDialect({ database }, wal) });
  return Database.create(db, "sqlite", {
    group,
    deferRelease: () => wal.deferRelease(),
    direct: directSql(database),
  });
}

async function openPostgres(
  url: string,
  schema: string,
  group?: GroupCommitOptions,
): Promise<Database> {
  if (!PG_SCHEMA.test(schema)) {
    throw new ConfigError(`databaseSchema: "${schema}" is not a plain lower-case SQL name`);
  }
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`create schema if not exists ${pg.escapeIdentifier(schema)}`);
  } catch (err) {
    throw new ConfigError(
      `database: cannot prepare PostgreSQL schema "${schema}" at ${redact(url)}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }

  // Times are bigint epoch ms and counts come back as int8: both fit a JS number exactly.
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  const pool = new pg.Pool({
    connectionString: url,
    // Every pooled connection starts on our schema, so queries stay unqualified.
    options: `-c search_path=${schema}`,
    types,
  });
  // An idle client that loses its server is dropped by the pool and the next query reconnects;
  // without a listener the 'error' event would end the process.
  pool.on("error", (err) => process.emitWarning(`store: idle PostgreSQL client: ${err.message}`));
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return Database.create(db, "postgres", { pgSchema: schema, group });
}

/** A URL fit for an error message: no password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
