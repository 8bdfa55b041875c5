// The periodic disk probe behind /healthz and the deposit refusal (docs/security.md "Disk full"):
// every few seconds, statfs of each directory omnivox writes to and a small test write + fsync
// there (and, on PostgreSQL, a rolled-back write to the database), fed to core/storage-health.

import { randomBytes } from "node:crypto";
import { mkdir, open, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import {
  type ProbeResult,
  type StorageArea,
  StorageHealth,
  type StorageState,
} from "../core/storage-health.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { watchStore } from "../store/watched.ts";

export interface StorageProbeOptions {
  /** Directories omnivox writes to (dataDir, its audio and tmp dirs); each is probed. */
  dirs: string[];
  minFreeBytes: number;
  intervalMs: number;
  logger: Logger;
  /** A write to the database that is rolled back (PostgreSQL); SQLite lives in dataDir. */
  storeWrite?: () => Promise<void>;
}

const PROBE_BYTES = 4096;

/**
 * The store as the start uses it: opened, and watched, so that a write that runs out of room
 * tells the probe (docs/security.md "Disk full"); `close` closes what was opened.
 */
export async function openWatchedStore(
  config: Config,
  dataDir: string,
  logger: Logger,
): Promise<{ store: Store; storage: StorageProbe; close(): Promise<void> }> {
  const opened = await openStore({
    database: config.database,
    dataDir,
    pgSchema: config.databaseSchema,
    groupCommit: config.groupCommit,
  });
  const storage = storageProbeFor(config, dataDir, opened, logger);
  const store = watchStore(opened, (area, err) => storage.writeFailed(area, err));
  return { store, storage, close: () => opened.close() };
}

/**
 * The probe for this deployment: dataDir (SQLite file, recordings under tmp/) and, on SQLite,
 * the audio dir, which an operator may have mounted elsewhere; on PostgreSQL a database write.
 */
export function storageProbeFor(
  config: Config,
  dataDir: string,
  store: Pick<Store, "dialect" | "probeWrite">,
  logger: Logger,
): StorageProbe {
  const dirs = [dataDir, join(dataDir, "tmp")];
  if (store.dialect === "sqlite" && config.database !== ":memory:")
    dirs.push(join(dataDir, "audio"));
  return new StorageProbe({
    dirs,
    minFreeBytes: config.storage.minFreeBytes,
    intervalMs: config.storage.probeIntervalMs,
    logger: logger.child({ component: "storage" }),
    ...(store.probeWrite ? { storeWrite: () => store.probeWrite!() } : {}),
  });
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}

export class StorageProbe {
  readonly health: StorageHealth;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #wasDegraded = false;
  readonly #writable: Array<() => void> = [];
  #earlyProbeAt = 0;

  constructor(private readonly opts: StorageProbeOptions) {
    this.health = new StorageHealth({ minFreeBytes: opts.minFreeBytes });
  }

  /** Free bytes and the degraded state at /metrics. */
  addMetrics(registry: Registry): void {
    this.#gauges(registry);
  }

  /** Probes once at once (so /healthz is right from the start), then every intervalMs. */
  async start(): Promise<void> {
    await this.probe();
    this.#timer = setInterval(() => void this.probe(), this.opts.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  state(): StorageState {
    return this.health.state();
  }

  canRecord(): boolean {
    return this.health.canRecord();
  }

  /** Called each time storage turns writable again (held voicemails are written then). */
  onWritable(listener: () => void): void {
    this.#writable.push(listener);
  }

  /**
   * A write failed somewhere; logged when it turns omnivox degraded. An error that does not say
   * "no room" may still hide it (SQLite ends a transaction itself when its commit finds no room,
   * and kysely's ROLLBACK then fails with "no transaction is active"): it brings the next probe
   * forward, at most once a second.
   */
  writeFailed(area: StorageArea, err: unknown): void {
    if (this.health.writeFailed(area, err)) {
      this.#report();
      return;
    }
    const now = Date.now();
    if (now - this.#earlyProbeAt < 1000) return;
    this.#earlyProbeAt = now;
    void this.probe();
  }

  /** One probe round; rounds never overlap (a slow disk must not pile them up). */
  probe(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #round(): Promise<void> {
    const results: ProbeResult[] = [];
    for (const dir of this.opts.dirs) results.push(await probeDir(dir));
    if (this.opts.storeWrite) {
      try {
        await this.opts.storeWrite();
        results.push({ path: "database" });
      } catch (err) {
        results.push({ path: "database", writeError: codeOf(err) });
      }
    }
    this.health.probed(results);
    this.#report();
  }

  #report(): void {
    const s = this.health.state();
    if (s.degraded && !this.#wasDegraded)
      this.opts.logger.error({ reasons: s.reasons, freeBytes: s.freeBytes }, "storage degraded");
    const recovered = !s.degraded && this.#wasDegraded;
    if (recovered) this.opts.logger.warn({ freeBytes: s.freeBytes }, "storage writable again");
    this.#wasDegraded = s.degraded;
    if (recovered) for (const listener of this.#writable) listener();
  }

  #gauges(registry: Registry): void {
    const health = this.health;
    new Gauge({
      name: "omnivox_storage_free_bytes",
      help: "Least free space among omnivox's data directories at the last probe",
      registers: [registry],
      collect() {
        const free = health.state().freeBytes;
        if (free !== undefined) this.set(free);
      },
    });
    new Gauge({
      name: "omnivox_storage_degraded",
      help: "1 while storage cannot be written (low space or failed writes; /healthz says 503)",
      registers: [registry],
      collect() {
        this.set(health.state().degraded ? 1 : 0);
      },
    });
  }
}

/** statfs and a small synced write in `dir`; a missing dir is created first. */
async function probeDir(dir: string): Promise<ProbeResult> {
  const result: ProbeResult = { path: dir };
  try {
    await mkdir(dir, { recursive: true });
    const s = await statfs(dir);
    result.freeBytes = Number(s.bavail) * Number(s.bsize);
  } catch (err) {
    result.writeError = codeOf(err);
    return result;
  }
  const file = join(dir, `.omnivox-probe-${randomBytes(4).toString("hex")}`);
  try {
    const handle = await open(file, "wx");
    try {
      await handle.writeFile(randomBytes(PROBE_BYTES));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    result.writeError = codeOf(err);
  } finally {
    await rm(file, { force: true }).catch(() => {});
  }
  return result;
}
