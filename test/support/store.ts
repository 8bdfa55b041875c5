// Test harness shared by every store test and by the gateway's tests: fresh stores on both
// dialects — SQLite in a temp dir, PostgreSQL (127.0.0.1:5432/test) in a throw-away schema. When
// PostgreSQL is unreachable its half is skipped, or fails with OMNIVOX_REQUIRE_PEERS=1.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type {
  Communication,
  EmailCommunication,
  VoiceCommunication,
} from "../../src/core/communication.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store, StoreOptions } from "../../src/store/types.ts";

export const TEST_PG_URL =
  process.env.OMNIVOX_TEST_PG_URL ??
  `postgres://${encodeURIComponent(process.env.PGUSER ?? "postgres")}@127.0.0.1:5432/test`;

export interface OpenedTestStore {
  name: "sqlite" | "postgres";
  store: Store;
  options: StoreOptions;
  /** Closes the current store and opens the same database again (migrations run again). */
  reopen(): Promise<Store>;
  /** Closes the store and removes its temp dir or schema. */
  cleanup(): Promise<void>;
}

export interface TestDialect {
  name: "sqlite" | "postgres";
  /** Set when the dialect cannot run here: the reason, for node:test's `skip`. */
  skip?: string;
  open(): Promise<OpenedTestStore>;
}

let pgCheck: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers, else why not. */
function pgUnavailable(): Promise<string | undefined> {
  pgCheck ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return undefined;
    } catch (err) {
      return `PostgreSQL not reachable at ${TEST_PG_URL} (${(err as Error).message}); install and start postgresql, or set OMNIVOX_TEST_PG_URL`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgCheck;
}

/**
 * Test processes share one database. Opening (whose migrator introspects every schema) takes
 * this advisory lock shared and dropping a schema takes it exclusively, so no open ever sees
 * another run's schema half-dropped.
 */
const SCHEMA_CHURN_LOCK = 0x6f6d6e69;

async function withChurnLock<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    const mode = exclusive ? "" : "_shared";
    await client.query(`select pg_advisory_lock${mode}($1)`, [SCHEMA_CHURN_LOCK]);
    return await fn();
  } finally {
    await client.end();
  }
}

/** Runs `fn` (that migrates or introspects a test database) safe from concurrent schema drops. */
export function guardSchemaChurn<T>(options: StoreOptions, fn: () => Promise<T>): Promise<T> {
  return options.database.startsWith("postgres") ? withChurnLock(false, fn) : fn();
}

/** Drops a PostgreSQL test schema (and everything in it) safe from concurrent opens. */
export async function dropSchema(schema: string): Promise<void> {
  await withChurnLock(true, async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    } finally {
      await client.end();
    }
  });
}

async function openTarget(
  name: "sqlite" | "postgres",
  options: StoreOptions,
  remove: () => Promise<void>,
): Promise<OpenedTestStore> {
  const open = () =>
    name === "postgres" ? withChurnLock(false, () => openStore(options)) : openStore(options);
  let store: Store;
  try {
    store = await open();
  } catch (err) {
    await remove();
    throw err;
  }
  let closed = false;
  const opened: OpenedTestStore = {
    name,
    store,
    options,
    async reopen() {
      await opened.store.close();
      opened.store = await open();
      return opened.store;
    },
    async cleanup() {
      if (closed) return;
      closed = true;
      try {
        await opened.store.close();
      } finally {
        await remove();
      }
    },
  };
  return opened;
}

async function openSqliteTarget(): Promise<OpenedTestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-store-"));
  return openTarget("sqlite", { database: "sqlite", dataDir }, () =>
    rm(dataDir, { recursive: true, force: true }),
  );
}

async function openPgTarget(): Promise<OpenedTestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-store-pg-"));
  const pgSchema = `t_${randomBytes(6).toString("hex")}`;
  return openTarget("postgres", { database: TEST_PG_URL, dataDir, pgSchema }, async () => {
    try {
      await dropSchema(pgSchema);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}

/**
 * Both dialects, each able to open fresh stores. Throws when PostgreSQL is unreachable and
 * OMNIVOX_REQUIRE_PEERS=1, so a CI run cannot pass with half its store tests skipped.
 */
export async function testDialects(): Promise<TestDialect[]> {
  const why = await pgUnavailable();
  if (why && process.env.OMNIVOX_REQUIRE_PEERS === "1") {
    throw new Error(`${why} (required: OMNIVOX_REQUIRE_PEERS=1)`);
  }
  if (why) console.log(`# skipping PostgreSQL store tests: ${why}`);
  const postgres: TestDialect = { name: "postgres", open: openPgTarget };
  if (why) postgres.skip = why;
  return [{ name: "sqlite", open: openSqliteTarget }, postgres];
}

/** One fresh store per reachable dialect (SQLite temp dir; PostgreSQL schema when reachable). */
export async function openTestStores(): Promise<
  Array<{ name: string; store: Store; cleanup(): Promise<void> }>
> {
  const out: OpenedTestStore[] = [];
  try {
    for (const d of await testDialects()) {
      if (!d.skip) out.push(await d.open());
    }
  } catch (err) {
    await Promise.allSettled(out.map((o) => o.cleanup()));
    throw err;
  }
  return out;
}

/** An inbound email communication with a fresh id, for tests; `over` replaces any field. */
export function testCommunication(over: Partial<EmailCommunication> = {}): Communication {
  const id = over.id ?? `c-${randomBytes(6).toString("hex")}`;
  return {
    id,
    kind: "email",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.org", name: "Bob" },
    to: { scheme: "mailto", email: "alice@example.com" },
    subject: "2024-01-02T03:04:05.000Z",
    receivedAt: new Date("2024-05-06T07:08:09.123Z"),
    thread: { threadId: id },
    nativeRefs: [{ system: "email", id: `<${id}@example.org>` }],
    warnings: [],
    body: { text: "hello" },
    ...over,
  };
}

/** A recorded voicemail for alice from +15550001 to +15559999, for conversion and delivery tests. */
export function testVoicemail(over: Partial<VoiceCommunication> = {}): VoiceCommunication {
  const id = over.id ?? "vm-1";
  return {
    id,
    kind: "voicemail",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "tel", number: "+15550001" },
    to: { scheme: "tel", number: "+15559999" },
    receivedAt: new Date("2025-03-01T10:04:05Z"),
    thread: { threadId: id },
    nativeRefs: [],
    warnings: [],
    body: { audioId: "rec-1", durationMs: 3000 },
    ani: "+15550001",
    dnis: "+15559999",
    callerName: "Bob",
    ...over,
  };
}
