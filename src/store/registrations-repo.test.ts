// Shared phone registrations on both dialects: a node's binding is read by every store on the
// database, a REGISTER taken by another node moves the row there and the first node's removal
// then leaves it alone, lapsed bindings are not read and are swept, a deleted user's go too.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { defaultProfile } from "../core/profile.ts";
import type { SharedRegistration } from "../core/repositories.ts";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

function binding(over: Partial<SharedRegistration> = {}): SharedRegistration {
  return {
    aor: "sip:alice@example.com",
    contactKey: "sip:alice@10.0.0.7:5060",
    userId: "alice",
    contact: "sip:alice@10.0.0.7:5060;transport=tcp",
    expiresAt: at(600),
    registeredAt: at(0),
    nodeId: "n1",
    direct: false,
    ...over,
  };
}

for (const dialect of await testDialects()) {
  describe(`shared registrations (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
      await t.store.users.create(defaultProfile("alice"), {});
    });
    afterEach(() => t.cleanup());

    test("a binding is read back with its node, Path and reach", async () => {
      const path = ["<sip:proxy.example.com;lr>"];
      await t.store.registrations.put(binding({ path }));
      await t.store.registrations.put(
        binding({ contactKey: "sip:alice@10.0.0.8:5060", registeredAt: at(5), direct: true }),
      );
      const read = await t.store.registrations.ofUser("alice", at(10));
      assert.deepEqual(
        read.map((r) => [r.contactKey, r.nodeId, r.direct, r.path]),
        [
          ["sip:alice@10.0.0.8:5060", "n1", true, undefined],
          ["sip:alice@10.0.0.7:5060", "n1", false, path],
        ],
      );
      assert.equal(read[1]!.expiresAt.getTime(), at(600).getTime());
    });

    test("a phone that registered again on another node stays there when the first lets go", async () => {
      await t.store.registrations.put(binding());
      await t.store.registrations.put(binding({ nodeId: "n2", registeredAt: at(30) }));
      await t.store.registrations.remove("sip:alice@example.com", "sip:alice@10.0.0.7:5060", "n1");
      const read = await t.store.registrations.ofUser("alice", at(40));
      assert.deepEqual(
        read.map((r) => r.nodeId),
        ["n2"],
      );
      await t.store.registrations.remove("sip:alice@example.com", "sip:alice@10.0.0.7:5060", "n2");
      assert.deepEqual(await t.store.registrations.ofUser("alice", at(40)), []);
    });

    test("lapsed bindings are not read and are swept; a deleted user's are gone", async () => {
      await t.store.registrations.put(binding({ expiresAt: at(20) }));
      await t.store.registrations.put(binding({ contactKey: "k2", expiresAt: at(900) }));
      assert.equal((await t.store.registrations.ofUser("alice", at(30))).length, 1);
      assert.equal(await t.store.registrations.sweep(at(30)), 1);
      assert.equal(await t.store.users.delete("alice"), true);
      assert.deepEqual(await t.store.registrations.ofUser("alice", at(30)), []);
    });
  });
}
