// The voicemail retention sweep on both dialects (audio as files under dataDir on SQLite, in
// audio_blobs on PostgreSQL): messages past the configuration's limit, or a profile's shorter one,
// go with their audio and their users are reported; newer ones stay; two sweeps at once (two
// nodes) delete each message once; a store that fails mid-sweep still reports what went.

import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pino } from "pino";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { createSystemEvents } from "../core/events.ts";
import { defaultProfile, type Profile } from "../core/profile.ts";
import { DAY_MS } from "../core/retention.ts";
import type { Store } from "../store/types.ts";
import { sweepExpiredVoicemail } from "./voicemail-retention.ts";

const WAV = Uint8Array.from({ length: 64 }, (_, i) => i);
const NOW = new Date("2026-06-01T12:00:00Z");
const logger = pino({ level: "silent" });

async function message(store: Store, userId: string, id: string, ageDays: number): Promise<void> {
  const audioId = `vm-${id}`;
  await store.audio.put(audioId, WAV, "audio/wav");
  await store.voicemail.insert({
    id,
    userId,
    receivedAt: new Date(NOW.getTime() - ageDays * DAY_MS),
    durationMs: 1000,
    audioId,
    urgent: false,
    state: "new",
  });
}

/** The audio as the backend keeps it: the file itself on SQLite, the row on PostgreSQL. */
async function audioPresent(t: OpenedTestStore, audioId: string): Promise<boolean> {
  if (t.name === "postgres") return (await t.store.audio.get(audioId)) !== undefined;
  return access(join(t.options.dataDir, "audio", `${audioId}.wav`)).then(
    () => true,
    () => false,
  );
}

async function ids(store: Store, userId: string): Promise<string[]> {
  return (await store.voicemail.list(userId)).map((m) => m.id).sort();
}

function withRetention(id: string, days?: number): Profile {
  return {
    ...defaultProfile(id),
    ...(days !== undefined ? { voicemail: { retentionDays: days } } : {}),
  };
}

/** Runs the sweep with its reports going out on an event port, as app/retention.ts wires it. */
async function sweep(store: Store, systemDays: number | undefined, heard: string[] = []) {
  const events = createSystemEvents((err) => {
    throw err;
  });
  events.on("mailboxChanged", (userId) => heard.push(userId));
  return sweepExpiredVoicemail(
    { store, systemDays, changed: (u) => events.emit("mailboxChanged", u), logger },
    NOW,
  );
}

for (const dialect of await testDialects()) {
  describe(`voicemail retention on ${dialect.name}`, { skip: dialect.skip }, () => {
    /** A test body on a fresh store of this dialect, removed afterwards. */
    const inStore = (fn: (t: OpenedTestStore) => Promise<void>) => async () => {
      const t = await dialect.open();
      try {
        await fn(t);
      } finally {
        await t.cleanup();
      }
    };

    test(
      "messages past the limit go with their audio; a shorter profile limit is kept",
      inStore(async (t) => {
        const { store } = t;
        await store.users.create(withRetention("alice"), {});
        await store.users.create(withRetention("bob", 7), {});
        // Stored before the operator shortened the limit: the configuration's 30 days apply.
        await store.users.create(withRetention("carol", 90), {});
        await store.users.create(withRetention("dave"), {});
        await message(store, "alice", "a-old", 31);
        await message(store, "alice", "a-new", 29);
        await message(store, "bob", "b-old", 8);
        await message(store, "bob", "b-new", 6);
        await message(store, "carol", "c-old", 40);
        await message(store, "carol", "c-new", 20);
        await message(store, "dave", "d-new", 1);
        for (const id of ["a-old", "b-old", "c-old", "a-new"])
          assert.ok(await audioPresent(t, `vm-${id}`), `vm-${id} stored`);

        const heard: string[] = [];
        const result = await sweep(store, 30, heard);

        assert.deepEqual(result, { messages: 3, users: 3, audioFailed: 0 });
        assert.deepEqual(await ids(store, "alice"), ["a-new"]);
        assert.deepEqual(await ids(store, "bob"), ["b-new"]);
        assert.deepEqual(await ids(store, "carol"), ["c-new"]);
        assert.deepEqual(await ids(store, "dave"), ["d-new"]);
        for (const id of ["a-old", "b-old", "c-old"])
          assert.equal(await audioPresent(t, `vm-${id}`), false, `vm-${id} removed`);
        for (const id of ["a-new", "b-new", "c-new", "d-new"])
          assert.equal(await audioPresent(t, `vm-${id}`), true, `vm-${id} kept`);
        assert.deepEqual(heard.sort(), ["alice", "bob", "carol"], "each changed box once");
        assert.deepEqual((await store.voicemail.counts("alice")).new, 1);

        // Nothing left to expire: nothing deleted, nobody told.
        const again: string[] = [];
        assert.deepEqual(await sweep(store, 30, again), { messages: 0, users: 0, audioFailed: 0 });
        assert.deepEqual(again, []);
      }),
    );

    test(
      "without a configured limit only profiles that set one lose messages",
      inStore(async (t) => {
        const { store } = t;
        await store.users.create(withRetention("alice"), {});
        await store.users.create(withRetention("bob", 2), {});
        await message(store, "alice", "a-ancient", 3650);
        await message(store, "bob", "b-old", 3);
        await message(store, "bob", "b-new", 1);
        const heard: string[] = [];
        assert.deepEqual(await sweep(store, undefined, heard), {
          messages: 1,
          users: 1,
          audioFailed: 0,
        });
        assert.deepEqual(await ids(store, "alice"), ["a-ancient"], "kept forever");
        assert.deepEqual(await ids(store, "bob"), ["b-new"]);
        assert.deepEqual(heard, ["bob"]);
      }),
    );

    test(
      "a node that is stopping sweeps no further",
      inStore(async (t) => {
        const { store } = t;
        await store.users.create(withRetention("bob", 2), {});
        await message(store, "bob", "b-old", 3);
        const result = await sweepExpiredVoicemail(
          { store, systemDays: undefined, changed: () => undefined, logger, stopping: () => true },
          NOW,
        );
        assert.equal(result.messages, 0);
        assert.deepEqual(await ids(store, "bob"), ["b-old"], "left to the next sweep");
      }),
    );

    test(
      "two sweeps at once, as on two nodes, delete each message once",
      inStore(async (t) => {
        const { store } = t;
        await store.users.create(withRetention("alice"), {});
        for (let i = 0; i < 40; i++) await message(store, "alice", `m${i}`, 10 + i);
        await message(store, "alice", "keep", 1);
        const [a, b] = await Promise.all([sweep(store, 5), sweep(store, 5)]);
        assert.equal(a.messages + b.messages, 40, "each expired message counted by one sweep");
        assert.deepEqual(await ids(store, "alice"), ["keep"]);
        for (let i = 0; i < 40; i++) assert.equal(await audioPresent(t, `vm-m${i}`), false);
      }),
    );

    test(
      "a failing store ends the sweep with an error, reporting what it deleted",
      inStore(async (t) => {
        const { store } = t;
        await store.users.create(withRetention("alice"), {});
        await message(store, "alice", "old", 10);
        const broken: Pick<Store, "users" | "voicemail" | "audio"> = {
          voicemail: store.voicemail,
          audio: {
            ...store.audio,
            put: store.audio.put.bind(store.audio),
            get: store.audio.get.bind(store.audio),
            delete: () => Promise.reject(new Error("EIO: disk gone")),
            listWrittenBetween: store.audio.listWrittenBetween.bind(store.audio),
            dropPartialWrites: store.audio.dropPartialWrites.bind(store.audio),
          },
          users: {
            ...store.users,
            list: () => Promise.reject(new Error("connection lost")),
          },
        };
        const heard: string[] = [];
        const events = createSystemEvents(() => undefined);
        events.on("mailboxChanged", (u) => heard.push(u));
        await assert.rejects(
          sweepExpiredVoicemail(
            {
              store: broken,
              systemDays: 5,
              changed: (u) => events.emit("mailboxChanged", u),
              logger,
            },
            NOW,
          ),
          /connection lost/,
        );
        assert.deepEqual(await ids(store, "alice"), [], "the row went before the failure");
        assert.deepEqual(heard, ["alice"], "and its box was still reported");
      }),
    );
  });
}
