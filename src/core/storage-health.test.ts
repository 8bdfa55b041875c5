import assert from "node:assert/strict";
import { test } from "node:test";
import { isStorageFullError, StorageHealth } from "./storage-health.ts";

const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), {
  code: "ENOSPC",
});

test("no room errors are told from other errors, through causes", () => {
  assert.equal(isStorageFullError(enospc), true);
  assert.equal(isStorageFullError({ code: "EDQUOT" }), true);
  assert.equal(isStorageFullError({ code: "SQLITE_FULL" }), true);
  assert.equal(isStorageFullError({ code: "53100", message: "could not extend file" }), true);
  assert.equal(isStorageFullError(new Error("wrapped", { cause: enospc })), true);
  assert.equal(isStorageFullError({ code: "SQLITE_IOERR_WRITE", message: "disk I/O error" }), true);
  assert.equal(isStorageFullError({ code: "SQLITE_CONSTRAINT_UNIQUE" }), false);
  assert.equal(isStorageFullError({ code: "ENOENT" }), false);
  assert.equal(isStorageFullError(new Error("plain")), false);
  assert.equal(isStorageFullError(undefined), false);
});

test("healthy before and after a good probe with room", () => {
  const h = new StorageHealth({ minFreeBytes: 1000 });
  assert.deepEqual(h.state(), { degraded: false, reasons: [] });
  h.probed([{ path: "/data", freeBytes: 5000 }]);
  assert.deepEqual(h.state(), { degraded: false, reasons: [], freeBytes: 5000 });
  assert.equal(h.canRecord(), true);
});

test("free space below the minimum degrades and refuses recordings; room back clears", () => {
  const h = new StorageHealth({ minFreeBytes: 1000 });
  h.probed([
    { path: "/data", freeBytes: 5000 },
    { path: "/data/audio", freeBytes: 999 },
  ]);
  const s = h.state();
  assert.equal(s.degraded, true);
  assert.equal(s.freeBytes, 999);
  assert.equal(s.reasons.length, 1);
  assert.match(s.reasons[0]!, /^low disk space: \/data\/audio has 999 bytes free/);
  assert.equal(h.canRecord(), false);
  h.probed([{ path: "/data/audio", freeBytes: 1000 }]);
  assert.equal(h.state().degraded, false);
  assert.equal(h.canRecord(), true);
});

test("a failed write degrades until a probe write succeeds, not before", () => {
  const h = new StorageHealth({ minFreeBytes: 0 });
  h.probed([{ path: "/data", freeBytes: 10 }]);
  assert.equal(h.writeFailed("recording", enospc), true);
  assert.equal(h.state().degraded, true);
  assert.match(h.state().reasons[0]!, /^write failed: recording \(ENOSPC\)/);
  // A probe whose own write fails keeps it degraded (and says so).
  h.probed([{ path: "/data", freeBytes: 10, writeError: "ENOSPC" }]);
  assert.equal(h.state().degraded, true);
  assert.equal(h.state().reasons.length, 2);
  h.probed([{ path: "/data", freeBytes: 10 }]);
  assert.deepEqual(h.state(), { degraded: false, reasons: [], freeBytes: 10 });
});

test("errors that are not about room leave the state alone", () => {
  const h = new StorageHealth({ minFreeBytes: 0 });
  assert.equal(h.writeFailed("store", { code: "SQLITE_CONSTRAINT_UNIQUE" }), false);
  assert.equal(h.writeFailed("store", new Error("connection reset")), false);
  assert.equal(h.state().degraded, false);
});

test("every area that failed is named once, with its latest code", () => {
  const h = new StorageHealth({ minFreeBytes: 0 });
  h.writeFailed("store", { code: "SQLITE_FULL" });
  h.writeFailed("audio", enospc);
  h.writeFailed("audio", { code: "EDQUOT" });
  const reasons = h.state().reasons;
  assert.equal(reasons.length, 2);
  assert.ok(reasons.some((r) => r.startsWith("write failed: store (SQLITE_FULL)")));
  assert.ok(reasons.some((r) => r.startsWith("write failed: audio (EDQUOT)")));
});
