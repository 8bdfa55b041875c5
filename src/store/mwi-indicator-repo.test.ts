// MwiIndicatorRepo on both dialects: latest-wins slots, delivered versions that never go back,
// expiry, retain; and mwi_state counts up to RFC 3842's 2^32 − 1 (migration 003).

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import type { VoicemailIndicator } from "../core/mwi.ts";
import { defaultProfile } from "../core/profile.ts";
import { openStore } from "./open.ts";

function indicator(version: number, newCount: number): VoicemailIndicator {
  return {
    client: { id: "web", kind: "web" },
    userId: "alice",
    version,
    total: { new: newCount, old: 0, urgentNew: 0, urgentOld: 0 },
    systems: [],
  };
}

const LATER = new Date(Date.now() + 3_600_000);

for (const dialect of await testDialects()) {
  describe(`mwi indicators (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("a newer put replaces the slot; undelivered shows only the latest", async () => {
      const repo = t.store.mwiIndicators;
      assert.equal(await repo.nextVersion("alice"), 1);
      for (const v of [1, 2, 3]) {
        await repo.put({
          userId: "alice",
          clientId: "web",
          target: "web:alice/web",
          version: v,
          indicator: indicator(v, v * 10),
          expiresAt: LATER,
        });
      }
      assert.equal(await repo.nextVersion("alice"), 4);
      const slots = await repo.undelivered(new Date());
      assert.equal(slots.length, 1);
      assert.equal(slots[0]?.version, 3);
      assert.equal(slots[0]?.indicator.total.new, 30);
      assert.equal(slots[0]?.deliveredVersion, 0);
    });

    test("taken versions start above the stored ones and are never handed out twice", async () => {
      await t.store.users.create(defaultProfile("bob"), {});
      const repo = t.store.mwiIndicators;
      await repo.put({
        userId: "bob",
        clientId: "web",
        target: "web:bob/web",
        version: 7,
        indicator: indicator(7, 1),
        expiresAt: LATER,
      });
      assert.equal(await repo.takeVersion("bob"), 8);
      assert.equal(await repo.takeVersion("bob"), 9);
      // Another node on the same database, taking at the same moment.
      const other = await openStore(t.options);
      try {
        const taken = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? other : t.store).mwiIndicators.takeVersion("bob"),
          ),
        );
        assert.equal(new Set(taken).size, 20, `a version was handed out twice: ${taken.join(",")}`);
        assert.ok(taken.every((v) => v > 9));
      } finally {
        await other.close();
      }
    });

    test("confirmations of several clients made together are all recorded, never lowering a version", async () => {
      const repo = t.store.mwiIndicators;
      for (const [clientId, v] of [
        ["web", 3],
        ["phone", 5],
      ] as const) {
        await repo.put({
          userId: "alice",
          clientId,
          target: `web:alice/${clientId}`,
          version: v,
          indicator: indicator(v, v),
          expiresAt: LATER,
        });
      }
      // Made together, they share one commit.
      await Promise.all([
        repo.markDelivered("alice", "web", 3),
        repo.markDelivered("alice", "phone", 4),
      ]);
      await repo.markDelivered("alice", "web", 1);
      const left = await repo.undelivered(new Date());
      assert.deepEqual(
        left.map((s) => [s.clientId, s.version, s.deliveredVersion]),
        [["phone", 5, 4]],
      );
    });

    test("commit without retaining others keeps the other clients' slots", async () => {
      const repo = t.store.mwiIndicators;
      const slot = (clientId: string, v: number) => ({
        userId: "alice",
        clientId,
        target: `web:alice/${clientId}`,
        version: v,
        indicator: indicator(v, v),
        expiresAt: LATER,
      });
      await repo.commit("alice", [slot("web", 1), slot("phone", 1)]);
      await repo.commit("alice", [slot("web", 2)], undefined, false);
      assert.equal((await repo.undelivered(new Date())).length, 2);
      await repo.commit("alice", [slot("web", 3)]);
      assert.deepEqual(
        (await repo.undelivered(new Date())).map((s) => s.clientId),
        ["web"],
      );
    });

    test("markDelivered never lowers the version; a delivered slot is not undelivered", async () => {
      const repo = t.store.mwiIndicators;
      const put = (v: number) =>
        repo.put({
          userId: "alice",
          clientId: "web",
          target: "web:alice/web",
          version: v,
          indicator: indicator(v, v),
          expiresAt: LATER,
        });
      await put(5);
      await repo.markDelivered("alice", "web", 5);
      await repo.markDelivered("alice", "web", 2);
      assert.deepEqual(await repo.undelivered(new Date()), []);
      await put(6);
      const [slot] = await repo.undelivered(new Date(), "web:alice/web");
      assert.equal(slot?.version, 6);
      assert.equal(slot?.deliveredVersion, 5);
      assert.deepEqual(await repo.undelivered(new Date(), "web:bob/web"), []);
    });

    test("markDeliveredAll records several clients' versions in one go, never lowering one", async () => {
      const repo = t.store.mwiIndicators;
      for (const clientId of ["web", "phone"])
        await repo.put({
          userId: "alice",
          clientId,
          target: `web:alice/${clientId}`,
          version: 7,
          indicator: indicator(7, 0),
          expiresAt: LATER,
        });
      await repo.markDelivered("alice", "phone", 7);
      await repo.markDeliveredAll([
        { userId: "alice", clientId: "web", version: 7 },
        { userId: "alice", clientId: "phone", version: 3 },
      ]);
      assert.deepEqual(await repo.undelivered(new Date()), []);
      await repo.markDeliveredAll([]);
    });

    test("expired slots are not undelivered; retain drops removed clients", async () => {
      const repo = t.store.mwiIndicators;
      await repo.put({
        userId: "alice",
        clientId: "old",
        target: "web:alice/old",
        version: 1,
        indicator: indicator(1, 1),
        expiresAt: new Date(Date.now() - 1000),
      });
      await repo.put({
        userId: "alice",
        clientId: "web",
        target: "web:alice/web",
        version: 2,
        indicator: indicator(2, 1),
        expiresAt: LATER,
      });
      assert.deepEqual(
        (await repo.undelivered(new Date())).map((s) => s.clientId),
        ["web"],
      );
      await repo.retain("alice", ["old"]);
      assert.deepEqual(await repo.undelivered(new Date()), []);
      assert.equal(await repo.nextVersion("alice"), 2);
    });

    test("mwi_state keeps counts up to 2^32 − 1", async () => {
      const max = 4294967295;
      await t.store.mwi.put({
        userId: "alice",
        systemId: "pbx",
        newCount: max,
        oldCount: max,
        urgentNew: max,
        urgentOld: 0,
        enabled: true,
        updatedAt: new Date(),
      });
      const row = await t.store.mwi.get("alice", "pbx");
      assert.equal(row?.newCount, max);
      assert.equal(row?.urgentNew, max);
    });
  });
}
