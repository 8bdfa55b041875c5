// Shared cluster values on both dialects: the first proposal is kept and every later one — from
// this store, a second store on the same database (another node), or many at once — reads it.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { openStore } from "./open.ts";

for (const dialect of await testDialects()) {
  describe(`cluster settings (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("the first proposal is kept, later ones read it", async () => {
      assert.equal(await t.store.clusterSettings.agree("server-secret", "first"), "first");
      assert.equal(await t.store.clusterSettings.agree("server-secret", "second"), "first");
      assert.equal(await t.store.clusterSettings.agree("other", "x"), "x");
      const again = await t.reopen();
      assert.equal(await again.clusterSettings.agree("server-secret", "third"), "first");
    });

    test("nodes proposing at the same moment agree on one value", async () => {
      if (dialect.name !== "postgres") return;
      const other = await openStore(t.options);
      try {
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? other : t.store).clusterSettings.agree("server-secret", `node-${i}`),
          ),
        );
        assert.equal(new Set(answers).size, 1, `nodes disagree: ${answers.join(", ")}`);
      } finally {
        await other.close();
      }
    });
  });
}
