// Whether omnivox can write what it acknowledges (docs/security.md "Disk full"): a small state
// machine fed by a periodic probe (free space, a test write) and by the write errors the store and
// the recorder see. Pure: the probe's I/O lives in app/storage-probe.ts.

/** Errors that mean "no room to write": the file system (ENOSPC, EDQUOT), SQLite, PostgreSQL. */
export function isStorageFullError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    // 53100 is PostgreSQL's disk_full (could not extend a file); SQLITE_FULL is SQLite's.
    if (code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" || code === "53100")
      return true;
    if (typeof code === "string" && code.startsWith("SQLITE_IOERR")) {
      const message = String((e as { message?: unknown }).message ?? "");
      if (/disk|space|full/i.test(message)) return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Where a write failed or space ran short: the reason names it. */
export type StorageArea = "store" | "audio" | "recording" | "dataDir";

export interface ProbeResult {
  /** Directory probed and the bytes free there for an unprivileged writer (statfs bavail × bsize). */
  path: string;
  freeBytes?: number;
  /** The probe's own small write + fsync; an error message when it failed. */
  writeError?: string;
}

export interface StorageState {
  degraded: boolean;
  /** Human-readable, stable prefixes: "low disk space: …", "write failed: …". */
  reasons: string[];
  /** Least free space among the probed directories at the last probe; undefined before one. */
  freeBytes?: number;
}

export class StorageHealth {
  readonly #minFreeBytes: number;
  /** Failed writes seen since the last good probe, by area, with the latest message. */
  readonly #failed = new Map<StorageArea, string>();
  #probe: ProbeResult[] = [];

  constructor(opts: { minFreeBytes: number }) {
    this.#minFreeBytes = opts.minFreeBytes;
  }

  /**
   * A write somewhere failed. Only a "no room" error degrades: other errors (a bad id, a unique
   * violation) say nothing about the disk.
   */
  writeFailed(area: StorageArea, err: unknown): boolean {
    if (!isStorageFullError(err)) return false;
    const code = (err as { code?: unknown }).code;
    this.#failed.set(area, `${String(code ?? "error")}`);
    return true;
  }

  /**
   * The result of one probe round. A round whose test writes all succeeded clears the failed
   * writes seen before it: the room they lacked is back (or they were transient).
   */
  probed(results: ProbeResult[]): void {
    this.#probe = results;
    if (results.length > 0 && results.every((r) => r.writeError === undefined))
      this.#failed.clear();
  }

  /** Whether a new recording may start: refused while degraded, so the caller goes elsewhere. */
  canRecord(): boolean {
    return !this.state().degraded;
  }

  state(): StorageState {
    const reasons: string[] = [];
    let freeBytes: number | undefined;
    for (const r of this.#probe) {
      if (r.freeBytes !== undefined) {
        freeBytes = freeBytes === undefined ? r.freeBytes : Math.min(freeBytes, r.freeBytes);
        if (r.freeBytes < this.#minFreeBytes)
          reasons.push(
            `low disk space: ${r.path} has ${r.freeBytes} bytes free, below storage.minFreeBytes ${this.#minFreeBytes}`,
          );
      }
      if (r.writeError !== undefined)
        reasons.push(`write failed: ${r.path} cannot be written (${r.writeError})`);
    }
    for (const [area, code] of this.#failed)
      reasons.push(`write failed: ${area} (${code}), until a probe write succeeds`);
    return {
      degraded: reasons.length > 0,
      reasons,
      ...(freeBytes !== undefined ? { freeBytes } : {}),
    };
  }
}
