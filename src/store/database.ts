// A thin wrapper over Kysely<DatabaseSchema> (the atproto PDS pattern): one place for
// transactions, after-commit hooks and the dialect flag the few dialect-specific queries need.

import { AsyncLocalStorage } from "node:async_hooks";
import { CompiledQuery, type Kysely, Migrator, type QueryResult } from "kysely";
import {
  type BatchTransaction,
  CommitGroup,
  GROUP_COMMIT_DEFAULTS,
  type GroupCommitOptions,
} from "./group-commit.ts";
import { migrationProvider } from "./migrations/index.ts";
import type { DatabaseSchema } from "./schema/index.ts";
import type { DirectSql } from "./sqlite-statements.ts";

export type Dialect = "sqlite" | "postgres";

// Two of these run for every caller of a shared commit.
const SAVEPOINT = "savepoint omnivox_caller";
const RELEASE = "release savepoint omnivox_caller";
const ROLLBACK_TO = "rollback to savepoint omnivox_caller";

export interface DatabaseOptions {
  /** The PostgreSQL schema the store lives in (search_path); absent on SQLite. */
  pgSchema?: string | undefined;
  group?: GroupCommitOptions | undefined;
  /**
   * SQLite with wal-sync.ts: called inside a batch's transaction so that letting it go does not
   * wait for the sync, whose end the returned promise tells (docs/performance.md "Group commit").
   */
  deferRelease?: (() => Promise<void>) | undefined;
  /**
   * SQLite: runs a statement at once on the one connection. Inside a batch, which holds that
   * connection for its whole length, fixed SQL goes this way instead of through kysely's
   * executor (docs/performance.md "Fixed SQL on the hot path").
   */
  direct?: DirectSql | undefined;
}

export class Database {
  /** On the root only: concurrent transactions share one commit (store/group-commit.ts). */
  readonly #group: CommitGroup<Database> | undefined;
  /** The transaction the current async context runs in, so a nested call joins it. */
  readonly #current = new AsyncLocalStorage<Database>();
  /** Set once this transaction's caller is done: later work must not write into its batch. */
  #closed = false;

  /** The PostgreSQL schema the store lives in (search_path); undefined on SQLite. */
  readonly pgSchema: string | undefined;

  private constructor(
    readonly db: Kysely<DatabaseSchema>,
    readonly dialect: Dialect,
    private readonly options: DatabaseOptions,
    /** Present only inside a transaction: hooks to run once it has committed. */
    private readonly commitHooks?: Array<() => void>,
  ) {
    this.pgSchema = options.pgSchema;
    if (!commitHooks)
      this.#group = new CommitGroup(
        this.#openBatch,
        options.group ?? GROUP_COMMIT_DEFAULTS,
        runHook,
      );
  }

  static create(
    db: Kysely<DatabaseSchema>,
    dialect: Dialect,
    options: DatabaseOptions = {},
  ): Database {
    return new Database(db, dialect, options);
  }

  get isTransaction(): boolean {
    return this.commitHooks !== undefined;
  }

  assertTransaction(): void {
    if (!this.isTransaction) throw new Error("store: this operation must run inside a transaction");
  }

  /**
   * Runs `fn` in one transaction: everything it writes commits together or not at all, and the
   * promise settles only after that commit. Transactions that arrive together share one commit
   * (group commit), so `fn` should do store work only: a caller that waits on anything else
   * holds up the others of its batch. Nested calls — on the transaction, or on the root from
   * inside `fn` — join the outer transaction. After-commit hooks run once the commit succeeded.
   */
  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    if (this.commitHooks) {
      if (this.#closed) throw new Error("store: this transaction has already ended");
      return fn(this);
    }
    const joined = this.#current.getStore();
    if (joined && !joined.#closed) return fn(joined);
    return this.#group!.run((tx) => this.#current.run(tx, () => fn(tx)));
  }

  /** One write statement (or a few) in a transaction of its own, grouped with the others'. */
  write<T>(fn: (db: Kysely<DatabaseSchema>) => Promise<T>): Promise<T> {
    return this.transaction((tx) => fn(tx.db));
  }

  /**
   * Runs one statement written as SQL (prepared.ts). Inside a transaction on SQLite it runs at
   * once on the connection the batch holds; anywhere else through kysely, which waits for the
   * connection.
   */
  execute<R>(text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.#closed) return Promise.reject(new Error("store: this transaction has already ended"));
    const direct = this.options.direct;
    if (!direct || !this.commitHooks)
      return this.db.executeQuery(CompiledQuery.raw(text, [...parameters]));
    try {
      return Promise.resolve(direct(text, parameters) as QueryResult<R>);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Runs `hook` after the current transaction commits (at once when there is none). */
  onCommit(hook: () => void): void {
    if (this.commitHooks) this.commitHooks.push(hook);
    else runHook(hook);
  }

  readonly #openBatch = async (
    body: (batch: BatchTransaction<Database>) => Promise<void>,
  ): Promise<{ durable?: Promise<void> } | undefined> => {
    let durable: Promise<void> | undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        // The batch's own view: its savepoints go the caller's way (execute), never closed.
        const batch = new Database(trx, this.dialect, this.options, []);
        const run = (text: string) => batch.execute(text, []).then(() => undefined);
        await body({
          forCaller: () => {
            const hooks: Array<() => void> = [];
            const tx = new Database(trx, this.dialect, this.options, hooks);
            return {
              tx: tx,
              hooks,
              close: () => {
                tx.#closed = true;
              },
            };
          },
          savepoint: () => run(SAVEPOINT),
          release: () => run(RELEASE),
          rollbackToSavepoint: () => run(ROLLBACK_TO),
        });
        // Asked while the connection is still the batch's: letting it go will not wait for the sync.
        durable = this.options.deferRelease?.();
      });
    } catch (err) {
      // The sync of a transaction that failed to commit is nobody's to wait for.
      void durable?.catch(() => undefined);
      throw err;
    }
    return durable ? { durable } : undefined;
  };

  /**
   * kysely's Migrator over our migrations. On PostgreSQL its bookkeeping tables are pinned to
   * our schema: unpinned, kysely finds another schema's kysely_migration table in the same
   * database and skips creating ours.
   */
  migrator(): Migrator {
    return new Migrator({
      db: this.db,
      provider: migrationProvider,
      ...(this.pgSchema !== undefined ? { migrationTableSchema: this.pgSchema } : {}),
    });
  }

  /** Brings the schema to the latest migration; safe to call on every open. */
  async migrate(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await this.migrator().migrateToLatest();
      if (!error) return;
      const failed = results?.find((r) => r.status === "Error")?.migrationName;
      if (failed === undefined && attempt < MIGRATE_ATTEMPTS && isVanishedObject(error)) {
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`store: migration ${failed ?? "(setup)"} failed: ${reason}`, {
        cause: error,
      });
    }
  }

  async destroy(): Promise<void> {
    await this.db.destroy();
  }
}

const MIGRATE_ATTEMPTS = 8;

/**
 * kysely's Migrator introspects every schema of the database before it takes its lock; when
 * another schema is dropped meanwhile (parallel test runs, another tenant) PostgreSQL reports
 * one of its objects missing (3F000 schema, 42P01 table, 42703 column). Nothing of ours has
 * run yet (no migration name in the result), so the setup is simply tried again.
 */
function isVanishedObject(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === "3F000" || code === "42P01" || code === "42703";
}

// The transaction has already committed; a failing hook must not turn that into an error for
// the caller, whose data is safe.
function runHook(hook: () => void): void {
  try {
    hook();
  } catch (err) {
    process.emitWarning(`store: after-commit hook failed: ${String(err)}`);
  }
}

/** True for a unique or primary-key violation from either driver. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== "object" || err === null || !("code" in err)) return false;
  const code = (err as { code: unknown }).code;
  return (
    code === "23505" ||
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}
