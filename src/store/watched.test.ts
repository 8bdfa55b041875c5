// The watched store reports what its repositories fail with, unchanged; on a really full disk
// (a small tmpfs) SQLite's and the audio files' errors are the ones /healthz counts as no room.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type OpenedTestStore, testCommunication, testDialects } from "../../test/support/store.ts";
import { mountSmallDisk, type SmallDisk } from "../../test/support/tmpfs.ts";
import { ValidationError } from "../core/errors.ts";
import { isStorageFullError } from "../core/storage-health.ts";
import { openStore } from "./open.ts";
import { watchStore } from "./watched.ts";

const WAV = new Uint8Array(4096).fill(7);

for (const dialect of await testDialects()) {
  describe(`watched store (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    before(async () => {
      t = await dialect.open();
    });
    after(() => t.cleanup());

    test("results and errors pass through; errors are reported with their area", async () => {
      const seen: Array<[string, unknown]> = [];
      const store = watchStore(t.store, (area, err) => seen.push([area, err]));
      assert.equal(store.dialect, dialect.name);
      assert.equal(await store.ping(), true);
      const c = testCommunication();
      await store.communications.insertWithDeliveries(c, []);
      assert.equal((await store.communications.get(c.id))?.id, c.id);
      await store.audio.put("w1", WAV, "audio/wav");
      assert.deepEqual(Uint8Array.from((await store.audio.get("w1"))!.data), WAV);
      assert.deepEqual(seen, []);
      await assert.rejects(store.audio.put("bad id!", WAV, "audio/wav"), ValidationError);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]![0], "audio");
      assert.ok((seen[0]![1] as object) instanceof ValidationError);
      assert.equal(isStorageFullError(seen[0]![1]), false);
    });

    test("probeWrite: a rolled-back database write on PostgreSQL, none on SQLite", async () => {
      if (dialect.name === "sqlite") {
        assert.equal(t.store.probeWrite, undefined);
        return;
      }
      await t.store.probeWrite!();
      await t.store.probeWrite!();
      // Nothing of the probe is left behind.
      assert.equal(await t.store.audio.get("probe-0000000000000000"), undefined);
    });
  });
}

describe("watched SQLite store on a full disk", () => {
  let disk: SmallDisk | undefined;
  let skip: string | undefined;
  before(async () => {
    const mounted = await mountSmallDisk(8 * 1024 * 1024);
    disk = mounted.disk;
    skip = mounted.skip;
  });
  after(async () => {
    await disk?.unmount();
  });

  test("SQLite and audio writes that find no room are reported; they work once freed", async (t) => {
    if (skip || !disk) return t.skip(skip);
    const opened = await openStore({ database: "sqlite", dataDir: disk.dir });
    try {
      const seen: Array<[string, unknown]> = [];
      const store = watchStore(opened, (area, err) => seen.push([area, err]));
      await store.communications.insertWithDeliveries(testCommunication(), []);
      await disk.fill(0);
      // A big subject so the row cannot fit in a page the database already has.
      const big = testCommunication({ subject: "x".repeat(256 * 1024) });
      await assert.rejects(store.communications.insertWithDeliveries(big, []));
      await assert.rejects(store.audio.put("full", new Uint8Array(64 * 1024), "audio/wav"));
      assert.deepEqual(
        seen.map(([area]) => area),
        ["store", "audio"],
      );
      // The audio file's ENOSPC says so; SQLite's commit ends its transaction itself and kysely's
      // ROLLBACK error is what comes out, which is why the probe is brought forward on any error.
      assert.ok(isStorageFullError(seen[1]![1]), String(seen[1]![1]));
      await disk.free();
      await store.communications.insertWithDeliveries(big, []);
      await store.audio.put("full", new Uint8Array(64 * 1024), "audio/wav");
      assert.equal((await store.communications.get(big.id))?.id, big.id);
    } finally {
      await opened.close();
    }
  });
});
