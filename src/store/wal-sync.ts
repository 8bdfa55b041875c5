// Durable SQLite commits without blocking the event loop (docs/performance.md "Durable commits
// off the event loop"). With journal_mode=WAL and synchronous=FULL, better-sqlite3 runs each
// COMMIT's fsync on the main thread, where SIP, RTP and SMTP wait behind it. With
// synchronous=NORMAL SQLite appends the commit to the WAL without syncing it; this module then
// syncs the WAL file from libuv's thread pool and holds the committer's promise until that sync has
// finished, so a commit is on disk before anyone is told it happened — the same guarantee as FULL
// (SQLite's own WAL format makes a synced commit frame durable; checkpoints under NORMAL sync the
// WAL before and the database after, as under FULL).

import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import type SqliteDatabase from "better-sqlite3";
import {
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
} from "kysely";

/** How the WAL file is made durable; a seam so tests can watch the order of commit and sync. */
export type SyncFile = (file: FileHandle) => Promise<void>;

/**
 * Counts the commits of one connection and syncs the WAL so that each is durable: one sync is in
 * flight at a time, and every commit made while it ran is covered by the next one (group fsync).
 */
export class WalSync {
  #committed = 0;
  #synced = 0;
  #inflight: Promise<void> | undefined;
  #file: Promise<FileHandle> | undefined;

  constructor(
    private readonly walPath: string,
    private readonly syncFile: SyncFile = (file) => file.datasync(),
  ) {}

  /** Set by the connection's holder (deferRelease): the release that follows does not wait. */
  #deferred: { resolve(durable: Promise<void>): void } | undefined;

  /**
   * Called while holding the connection, before its transaction ends: the release that follows
   * returns at once, and the promise returned here settles once what that transaction committed
   * is on disk (at once if it wrote nothing). Group commit uses it to run its next batch while
   * this one's sync is under way; nothing waits on it but the batch's own callers.
   */
  deferRelease(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#deferred = { resolve: (durable) => durable.then(resolve, reject) };
    });
  }

  /** The deferral for the release now happening, if its holder asked for one. */
  takeDeferral(): { resolve(durable: Promise<void>): void } | undefined {
    const d = this.#deferred;
    this.#deferred = undefined;
    return d;
  }

  /** A transaction (or a statement in autocommit) that wrote has just committed. */
  noteCommit(): void {
    this.#committed++;
  }

  get committed(): number {
    return this.#committed;
  }

  /** Resolves once every commit up to `upTo` (a value of `committed`) is on disk. */
  async durable(upTo: number): Promise<void> {
    while (this.#synced < upTo) {
      if (!this.#inflight) {
        const covers = this.#committed;
        this.#inflight = this.#sync().then(
          () => {
            this.#synced = Math.max(this.#synced, covers);
            this.#inflight = undefined;
          },
          (err: unknown) => {
            this.#inflight = undefined;
            throw new Error(`store: the database's write-ahead log could not be synced to disk`, {
              cause: err,
            });
          },
        );
      }
      await this.#inflight;
    }
  }

  async #sync(): Promise<void> {
    // The WAL exists once the first commit wrote to it; the first sync also makes its directory
    // entry durable, as SQLite does for a journal it creates.
    this.#file ??= openWal(this.walPath);
    await this.syncFile(await this.#file);
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (file) await (await file).close();
  }
}

async function openWal(walPath: string): Promise<FileHandle> {
  const dir = await open(dirname(walPath), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return open(walPath, "r");
}

/**
 * kysely's SQLite dialect whose connection is handed back only after its commits are durable:
 * the connection is released first, so readers and the next writer go on while the WAL syncs.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly wal: WalSync,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new DurableDriver(super.createDriver(), this.wal);
  }
}

class DurableDriver implements Driver {
  /** SQLite has one connection behind a mutex: commits between acquire and release are its user's. */
  #committedAtAcquire = 0;

  constructor(
    private readonly inner: Driver,
    private readonly wal: WalSync,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    this.#committedAtAcquire = this.wal.committed;
    return connection;
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>): Promise<void> {
    return this.inner.beginTransaction(...args);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>): Promise<void> {
    return this.inner.savepoint!(...args);
  }

  rollbackToSavepoint(
    ...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>
  ): Promise<void> {
    return this.inner.rollbackToSavepoint!(...args);
  }

  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>): Promise<void> {
    return this.inner.releaseSavepoint!(...args);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const committed = this.wal.committed;
    const wrote = committed > this.#committedAtAcquire;
    const deferral = this.wal.takeDeferral();
    await this.inner.releaseConnection(connection);
    const durable = wrote ? this.wal.durable(committed) : Promise.resolve();
    if (deferral) deferral.resolve(durable);
    else await durable;
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
    await this.wal.close();
  }
}

/**
 * Watches the statements of one better-sqlite3 connection for commits: a statement that wrote,
 * followed by the connection leaving its transaction (COMMIT, or a write in autocommit). A
 * ROLLBACK is counted too; the sync it costs is harmless.
 */
export function commitWatcher(
  sqlite: SqliteDatabase.Database,
  wal: WalSync,
): (stmt: { readonly: boolean }) => void {
  let wrote = false;
  return (stmt) => {
    if (!stmt.readonly) wrote = true;
    if (wrote && !sqlite.inTransaction) {
      wrote = false;
      wal.noteCommit();
    }
  };
}
