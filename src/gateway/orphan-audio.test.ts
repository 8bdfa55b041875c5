// The orphaned-audio sweep on both dialects (files under dataDir on SQLite, audio_blobs on
// PostgreSQL): deposit and API audio no committed row names goes once it is past the grace
// period, as do the temp files of cut-short writes; named audio, greetings and audio within the
// grace period stay; the outbox worker sweeps when it starts.

import assert from "node:assert/strict";
import { readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pino } from "pino";
import { testDialects, testVoicemail } from "../../test/support/store.ts";
import { until } from "../../test/support/until.ts";
import { defaultProfile } from "../core/profile.ts";
import type { Store } from "../store/types.ts";
import { AdapterRegistry } from "./adapter-registry.ts";
import { defaultConverters } from "./convert/registry.ts";
import { sweepOrphanAudio } from "./orphan-audio.ts";
import { OutboxWorker } from "./outbox-worker.ts";

const WAV = Uint8Array.from({ length: 64 }, (_, i) => i);

async function stored(store: Store, ids: string[]): Promise<string[]> {
  const present: string[] = [];
  for (const id of ids) if (await store.audio.get(id)) present.push(id);
  return present;
}

for (const dialect of await testDialects()) {
  describe(`orphaned audio on ${dialect.name}`, { skip: dialect.skip }, () => {
    test("only unnamed deposit and API audio past the grace period is swept", async () => {
      const t = await dialect.open();
      try {
        const { store } = t;
        await store.users.create(defaultProfile("alice"), {});
        const ids = ["vm-named", "vm-boxed", "vm-lost", "api-lost", "greeting-x", "tts-y"];
        for (const id of ids) await store.audio.put(id, WAV, "audio/wav");
        await store.communications.insertWithDeliveries(
          testVoicemail({ id: "c-named", body: { audioId: "vm-named", durationMs: 1000 } }),
          [],
        );
        await store.voicemail.insert({
          id: "m-boxed",
          userId: "alice",
          receivedAt: new Date(),
          durationMs: 1000,
          audioId: "vm-boxed",
          urgent: false,
          state: "new",
        });

        assert.deepEqual(
          (await sweepOrphanAudio(store, new Date())).swept,
          [],
          "within the grace period",
        );
        assert.deepEqual(await stored(store, ids), ids);

        const later = new Date(Date.now() + 5_000);
        // A sweep that starts where an earlier one ended leaves what that one already looked at.
        const afterThem = new Date(Date.now() + 1_000);
        assert.deepEqual((await sweepOrphanAudio(store, later, 1_000, afterThem)).swept, []);
        assert.deepEqual((await sweepOrphanAudio(store, later, 1_000)).swept.sort(), [
          "api-lost",
          "vm-lost",
        ]);
        assert.deepEqual(await stored(store, ids), ["vm-named", "vm-boxed", "greeting-x", "tts-y"]);
        assert.deepEqual(
          (await sweepOrphanAudio(store, later, 1_000)).swept,
          [],
          "nothing left to sweep",
        );
      } finally {
        await t.cleanup();
      }
    });

    // Only the file store has temp files: PostgreSQL writes a blob as one row.
    if (dialect.name === "sqlite")
      test("temp files of writes a crash cut short go once past the grace period", async () => {
        const t = await dialect.open();
        try {
          await t.store.audio.put("vm-kept", WAV, "audio/wav");
          const dir = join(t.options.dataDir, "audio");
          const crashed = join(dir, ".vm-cut.0a1b2c.tmp");
          const underWay = join(dir, ".vm-now.3d4e5f.tmp");
          await writeFile(crashed, WAV);
          await writeFile(underWay, WAV);
          const hourAgo = new Date(Date.now() - 3_600_000);
          await utimes(crashed, hourAgo, hourAgo);
          await sweepOrphanAudio(t.store, new Date(), 60_000);
          assert.deepEqual((await readdir(dir)).sort(), [".vm-now.3d4e5f.tmp", "vm-kept.wav"]);
        } finally {
          await t.cleanup();
        }
      });

    test("the outbox worker sweeps when it starts", async () => {
      const t = await dialect.open();
      const worker = new OutboxWorker({
        store: t.store,
        adapters: new AdapterRegistry(),
        converters: defaultConverters({ audioLinks: { urlFor: (id) => id } }),
        logger: pino({ level: "silent" }),
        options: {
          concurrency: 1,
          maxAttempts: 1,
          backoffBaseMs: 10,
          backoffMaxMs: 10,
          leaseMs: 1000,
          holdMs: 1000,
          pollMs: 10,
          orphanAudioGraceMs: 0,
        },
      });
      try {
        await t.store.audio.put("vm-crashed", WAV, "audio/wav");
        await new Promise((r) => setTimeout(r, 20));
        await worker.start();
        await until("the orphan swept", async () => !(await t.store.audio.get("vm-crashed")), {
          timeoutMs: 10_000,
          intervalMs: 20,
        });
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });
  });
}
