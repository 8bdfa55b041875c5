// AudioStore on both dialects (files under dataDir/audio for SQLite, bytea for PostgreSQL) and
// the in-memory variant used by ":memory:" stores.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { ValidationError } from "../core/errors.ts";
import { MemoryAudioStore } from "./audio-store.ts";
import { openStore } from "./open.ts";
import type { AudioStore } from "./types.ts";

const WAV = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 0, 1, 2, 3, 255, 0]);

async function exercise(audio: AudioStore): Promise<void> {
  assert.equal(await audio.get("a1"), undefined);
  await audio.put("a1", WAV, "audio/wav");
  const got = await audio.get("a1");
  assert.equal(got?.contentType, "audio/wav");
  assert.deepEqual(Uint8Array.from(got?.data ?? []), WAV);

  // Replacing keeps one blob, with the new bytes and type.
  await audio.put("a1", Uint8Array.from([9, 9]), "audio/mpeg");
  const replaced = await audio.get("a1");
  assert.equal(replaced?.contentType, "audio/mpeg");
  assert.deepEqual(Uint8Array.from(replaced?.data ?? []), Uint8Array.from([9, 9]));

  await audio.put("empty", new Uint8Array(0), "audio/x-wav");
  assert.equal((await audio.get("empty"))?.data.length, 0);
  assert.equal((await audio.get("empty"))?.contentType, "audio/wav");

  await audio.delete("a1");
  await audio.delete("a1");
  assert.equal(await audio.get("a1"), undefined);

  for (const bad of ["../etc/passwd", "", "a/b", ".hidden", "x".repeat(200)]) {
    await assert.rejects(audio.put(bad, WAV, "audio/wav"), ValidationError);
    await assert.rejects(audio.get(bad), ValidationError);
  }
  await assert.rejects(audio.put("a2", WAV, "text/html"), ValidationError);
}

for (const dialect of await testDialects()) {
  describe(`audio (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("put, get, replace, delete, bad ids", async () => {
      await exercise(t.store.audio);
    });

    test("where the bytes live", async () => {
      await t.store.audio.put("v1", WAV, "audio/wav");
      const audioDir = join(t.options.dataDir, "audio");
      if (dialect.name === "sqlite") {
        assert.deepEqual(await readdir(audioDir), ["v1.wav"]);
        assert.deepEqual(Uint8Array.from(await readFile(join(audioDir, "v1.wav"))), WAV);
      } else {
        await assert.rejects(readdir(audioDir), { code: "ENOENT" });
      }
      const reopened = await t.reopen();
      assert.deepEqual(Uint8Array.from((await reopened.audio.get("v1"))?.data ?? []), WAV);
    });
  });
}

describe("audio (memory)", () => {
  test("MemoryAudioStore behaves like the others", async () => {
    await exercise(new MemoryAudioStore());
  });

  test("a :memory: store keeps audio off the disk", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "omnivox-audio-"));
    try {
      const store = await openStore({ database: ":memory:", dataDir });
      await store.audio.put("m1", WAV, "audio/wav");
      assert.deepEqual(Uint8Array.from((await store.audio.get("m1"))?.data ?? []), WAV);
      await store.close();
      assert.deepEqual(await readdir(dataDir), []);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
