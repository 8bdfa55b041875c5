// The storage probe on a really full disk (a small tmpfs): free space and test writes decide
// the state; a write error that hides "no room" brings the next probe forward.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { Registry } from "prom-client";
import { mountSmallDisk, type SmallDisk } from "../../test/support/tmpfs.ts";
import { StorageProbe } from "./storage-probe.ts";

let disk: SmallDisk | undefined;
let skip: string | undefined;
before(async () => {
  const mounted = await mountSmallDisk(4 * 1024 * 1024);
  disk = mounted.disk;
  skip = mounted.skip;
});
after(async () => {
  await disk?.unmount();
});

const log = pino({ level: "silent" });

test("full → degraded with both reasons, refused recordings; freed → writable, listeners told", async (t) => {
  if (skip || !disk) return t.skip(skip);
  const probe = new StorageProbe({
    dirs: [disk.dir, `${disk.dir}/tmp`],
    minFreeBytes: 512 * 1024,
    intervalMs: 60_000,
    logger: log,
  });
  const registry = new Registry();
  probe.addMetrics(registry);
  let writable = 0;
  probe.onWritable(() => writable++);
  await probe.start();
  try {
    assert.equal(probe.state().degraded, false);
    assert.ok((probe.state().freeBytes ?? 0) > 3 * 1024 * 1024);
    await disk.fill(0);
    await probe.probe();
    const s = probe.state();
    assert.equal(s.degraded, true);
    assert.equal(probe.canRecord(), false);
    assert.ok(s.reasons.some((r) => r.startsWith("low disk space:")));
    assert.ok(
      s.reasons.some((r) => /^write failed: .* \(ENOSPC\)$/.test(r)),
      s.reasons.join(),
    );
    const metrics = await registry.metrics();
    assert.match(metrics, /^omnivox_storage_degraded 1$/m);
    assert.match(metrics, /^omnivox_storage_free_bytes 0$/m);
    assert.equal(writable, 0);
    await disk.free();
    await probe.probe();
    assert.equal(probe.state().degraded, false);
    assert.equal(writable, 1);
    assert.match(await registry.metrics(), /^omnivox_storage_degraded 0$/m);
  } finally {
    await probe.stop();
  }
});

test("a reported ENOSPC degrades at once; an unclear error probes early; a good probe clears", async (t) => {
  if (skip || !disk) return t.skip(skip);
  const probe = new StorageProbe({
    dirs: [disk.dir],
    minFreeBytes: 0,
    intervalMs: 60_000,
    logger: log,
  });
  await probe.start();
  try {
    probe.writeFailed("recording", Object.assign(new Error("no space"), { code: "ENOSPC" }));
    assert.equal(probe.canRecord(), false);
    await probe.probe();
    assert.equal(probe.canRecord(), true, "the disk has room: the probe write clears it");
    await disk.fill(0);
    // As SQLite's hidden SQLITE_FULL looks: no code that says so. The early probe finds out.
    probe.writeFailed("store", new Error("cannot rollback - no transaction is active"));
    await probe.probe();
    assert.equal(probe.canRecord(), false);
    await disk.free();
  } finally {
    await probe.stop();
  }
});
