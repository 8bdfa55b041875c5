// MwiRepo and VoicemailRepo on both dialects: upserts, the enabled switch, the last caller, and
// the voicemail list with its RFC 3842 counts.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { ConflictError } from "../core/errors.ts";
import type { MwiStateRow, VoicemailRecord } from "./types.ts";

function vm(id: string, over: Partial<VoicemailRecord> = {}): VoicemailRecord {
  return {
    id,
    userId: "alice",
    receivedAt: new Date("2024-03-01T10:00:00.000Z"),
    durationMs: 4200,
    audioId: `audio-${id}`,
    urgent: false,
    state: "new",
    ...over,
  };
}

for (const dialect of await testDialects()) {
  describe(`mwi (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("put inserts then replaces; get and listForUser read it back", async () => {
      const row: MwiStateRow = {
        userId: "alice",
        systemId: "pbx",
        newCount: 2,
        oldCount: 8,
        urgentNew: 0,
        urgentOld: 2,
        enabled: true,
        lastCaller: { ani: "+1555", dnis: "+1666", at: new Date("2024-01-01T00:00:01.500Z") },
        updatedAt: new Date("2024-01-01T00:00:02.000Z"),
      };
      await t.store.mwi.put(row);
      assert.deepEqual(await t.store.mwi.get("alice", "pbx"), row);
      const replaced: MwiStateRow = { ...row, newCount: 0, lastCaller: { at: new Date(5) } };
      await t.store.mwi.put(replaced);
      assert.deepEqual(await t.store.mwi.get("alice", "pbx"), replaced);
      const { lastCaller: _dropped, ...noCaller } = replaced;
      await t.store.mwi.put(noCaller);
      assert.deepEqual(await t.store.mwi.get("alice", "pbx"), noCaller);

      await t.store.mwi.put({ ...row, systemId: "internal" });
      await t.store.mwi.put({ ...row, userId: "bob" });
      assert.deepEqual(
        (await t.store.mwi.listForUser("alice")).map((r) => r.systemId),
        ["internal", "pbx"],
      );
      assert.equal(await t.store.mwi.get("alice", "nope"), undefined);
      assert.deepEqual(await t.store.mwi.listForUser("carol"), []);
    });

    test("setEnabled switches an existing row and creates a missing one", async () => {
      await t.store.mwi.put({
        userId: "alice",
        systemId: "pbx",
        newCount: 3,
        oldCount: 1,
        urgentNew: 1,
        urgentOld: 0,
        enabled: true,
        updatedAt: new Date(1000),
      });
      await t.store.mwi.setEnabled("alice", "pbx", false);
      const off = await t.store.mwi.get("alice", "pbx");
      assert.equal(off?.enabled, false);
      assert.equal(off?.newCount, 3);
      await t.store.mwi.setEnabled("alice", "pbx", true);
      assert.equal((await t.store.mwi.get("alice", "pbx"))?.enabled, true);

      await t.store.mwi.setEnabled("alice", "smdi-1", false);
      const created = await t.store.mwi.get("alice", "smdi-1");
      assert.equal(created?.enabled, false);
      assert.equal(created?.newCount, 0);
      assert.equal(created?.lastCaller, undefined);
    });
  });

  describe(`voicemail (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("insert, get, list newest first, scoped to the user", async () => {
      const full = vm("m1", {
        communicationId: "c1",
        ani: "+1555",
        dnis: "+1666",
        transcript: "call me",
        urgent: true,
      });
      await t.store.voicemail.insert(full);
      await t.store.voicemail.insert(vm("m2", { receivedAt: new Date("2024-03-02T00:00:00Z") }));
      await t.store.voicemail.insert(vm("m3", { userId: "bob" }));
      assert.deepEqual(await t.store.voicemail.get("alice", "m1"), full);
      assert.deepEqual(
        await t.store.voicemail.get("alice", "m2"),
        vm("m2", {
          receivedAt: new Date("2024-03-02T00:00:00Z"),
        }),
      );
      assert.equal(await t.store.voicemail.get("alice", "m3"), undefined);
      assert.deepEqual(
        (await t.store.voicemail.list("alice")).map((v) => v.id),
        ["m2", "m1"],
      );
      await assert.rejects(t.store.voicemail.insert(vm("m1")), ConflictError);
    });

    test("update and delete", async () => {
      await t.store.voicemail.insert(vm("m1"));
      assert.equal(await t.store.voicemail.update("alice", "m1", { state: "saved" }), true);
      assert.equal(await t.store.voicemail.update("alice", "m1", { transcript: "hello" }), true);
      const got = await t.store.voicemail.get("alice", "m1");
      assert.equal(got?.state, "saved");
      assert.equal(got?.transcript, "hello");
      assert.equal(await t.store.voicemail.update("alice", "m1", {}), true);
      assert.equal(await t.store.voicemail.update("bob", "m1", { state: "new" }), false);
      assert.equal(await t.store.voicemail.update("alice", "zz", {}), false);
      assert.equal(await t.store.voicemail.delete("bob", "m1"), false);
      assert.equal(await t.store.voicemail.delete("alice", "m1"), true);
      assert.equal(await t.store.voicemail.delete("alice", "m1"), false);
      assert.deepEqual(await t.store.voicemail.list("alice"), []);
    });

    test("counts: urgent messages are counted within new and old", async () => {
      assert.deepEqual(await t.store.voicemail.counts("alice"), {
        new: 0,
        old: 0,
        urgentNew: 0,
        urgentOld: 0,
      });
      await t.store.voicemail.insert(vm("n1"));
      await t.store.voicemail.insert(vm("n2", { urgent: true }));
      await t.store.voicemail.insert(vm("n3"));
      await t.store.voicemail.insert(vm("o1", { state: "saved", urgent: true }));
      await t.store.voicemail.insert(vm("o2", { state: "saved" }));
      await t.store.voicemail.insert(vm("b1", { userId: "bob" }));
      assert.deepEqual(await t.store.voicemail.counts("alice"), {
        new: 3,
        old: 2,
        urgentNew: 1,
        urgentOld: 1,
      });
    });
  });
}
