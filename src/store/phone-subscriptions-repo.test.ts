// Shared phone subscriptions on both dialects: rows name their node, a removal by another node
// leaves them, adoption moves a dead node's live rows to one survivor (two adopting at once
// split them, never share one) and drops lapsed ones.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { defaultProfile } from "../core/profile.ts";
import type { SharedSubscription } from "../core/repositories.ts";
import { openStore } from "./open.ts";

const now = new Date(Date.UTC(2026, 0, 1, 12));
const later = new Date(now.getTime() + 3600_000);

const sub = (callId: string, over: Partial<SharedSubscription> = {}): SharedSubscription => ({
  callId,
  localTag: "t1",
  userId: "alice",
  nodeId: "n1",
  expiresAt: later,
  state: JSON.stringify({ callId }),
  ...over,
});

for (const dialect of await testDialects()) {
  describe(`shared phone subscriptions (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
      await t.store.users.create(defaultProfile("alice"), {});
    });
    afterEach(() => t.cleanup());

    test("a dead node's live rows move to the adopter, lapsed ones are dropped", async () => {
      const repo = t.store.phoneSubscriptions;
      await repo.put(sub("a"));
      await repo.put(sub("b", { expiresAt: new Date(now.getTime() - 1000) }));
      await repo.put(sub("c", { nodeId: "n2" }));
      await repo.remove("a", "t1", "n2");
      assert.deepEqual((await repo.holders("n3")).sort(), ["n1", "n2"]);
      const moved = await repo.adopt("n1", "n3", now);
      assert.deepEqual(
        moved.map((s) => [s.callId, s.nodeId, s.state]),
        [["a", "n3", JSON.stringify({ callId: "a" })]],
      );
      assert.deepEqual((await repo.holders("n2")).sort(), ["n3"]);
      assert.deepEqual(await repo.adopt("n1", "n2", now), []);
    });

    test("two survivors adopting at once never take the same row", async () => {
      if (dialect.name !== "postgres") return;
      const repo = t.store.phoneSubscriptions;
      for (let i = 0; i < 50; i++) await repo.put(sub(`call-${i}`));
      const other = await openStore(t.options);
      try {
        const [mine, theirs] = await Promise.all([
          repo.adopt("n1", "n2", now),
          other.phoneSubscriptions.adopt("n1", "n3", now),
        ]);
        const ids = [...mine, ...theirs].map((s) => s.callId);
        assert.equal(ids.length, 50);
        assert.equal(new Set(ids).size, 50);
      } finally {
        await other.close();
      }
    });
  });
}
