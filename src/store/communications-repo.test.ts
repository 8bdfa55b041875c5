// CommunicationsRepo on both dialects: atomic and idempotent insertWithDeliveries, Dates
// surviving the JSON round trip, native id lookups and the per-user listing.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testCommunication, testDialects } from "../../test/support/store.ts";
import type { Communication } from "../core/communication.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { RouteOptions } from "../core/routing.ts";

for (const dialect of await testDialects()) {
  describe(`communications (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("round trip keeps every field, Dates as Dates, date-like strings as strings", async () => {
      const c = testCommunication({ thread: { threadId: "th-1", parentId: "p-0" } });
      await t.store.communications.insertWithDeliveries(c, []);
      const got = await t.store.communications.get(c.id);
      assert.deepEqual(got, c);
      assert.ok(got?.receivedAt instanceof Date);
      assert.equal(typeof got?.subject, "string");
      assert.equal(await t.store.communications.get("missing"), undefined);
    });

    test("voice communications keep their audio body and caller ids", async () => {
      const voice: Communication = {
        ...testCommunication(),
        kind: "voicemail",
        body: { audioId: "a1", durationMs: 1234, transcript: "hi" },
        ani: "+1555",
        dnis: "+1666",
      };
      await t.store.communications.insertWithDeliveries(voice, []);
      assert.deepEqual(await t.store.communications.get(voice.id), voice);
    });

    test("insertWithDeliveries writes one pending delivery per distinct target", async () => {
      const c = testCommunication();
      const expiresAt = new Date(Date.now() + 60_000);
      const before = Date.now();
      const ds = await t.store.communications.insertWithDeliveries(c, [
        { target: "xmpp:alice@im.example" },
        { target: "mailto:alice@example.com", expiresAt },
        { target: "xmpp:alice@im.example" },
      ]);
      assert.deepEqual(
        ds.map((d) => d.target),
        ["mailto:alice@example.com", "xmpp:alice@im.example"],
      );
      for (const d of ds) {
        assert.equal(d.state, "pending");
        assert.equal(d.attempts, 0);
        assert.equal(d.communicationId, c.id);
        assert.equal(d.userId, "alice");
        assert.ok(d.nextAttemptAt.getTime() >= before);
        assert.deepEqual(await t.store.outbox.get(d.id), d);
      }
      assert.equal(ds[0]?.expiresAt?.getTime(), expiresAt.getTime());
      assert.equal(ds[1]?.expiresAt, undefined);
    });

    test("each delivery keeps the route options it was routed with", async () => {
      const c = testCommunication();
      const options: RouteOptions = {
        transcribe: false,
        voice: "en-gb",
        language: "en",
        audioFormat: "wav",
      };
      const [routed, bare] = await t.store.communications.insertWithDeliveries(c, [
        { target: "mailto:alice@example.com", route: options },
        { target: "xmpp:alice@im.example" },
      ]);
      assert.deepEqual(routed?.route, options);
      assert.equal(bare?.route, undefined);
      const claimed = await t.store.outbox.claimDue(new Date(Date.now() + 1000), 10, 60_000);
      assert.deepEqual(claimed.map((d) => [d.target, d.route]).sort(), [
        ["mailto:alice@example.com", options],
        ["xmpp:alice@im.example", undefined],
      ]);
    });

    test("insertWithDeliveries is idempotent on the communication id", async () => {
      const c = testCommunication();
      const first = await t.store.communications.insertWithDeliveries(c, [
        { target: "mailto:a@x.org" },
        { target: "tel:+1555" },
      ]);
      const again = await t.store.communications.insertWithDeliveries(
        { ...c, subject: "changed" },
        [{ target: "mailto:a@x.org" }, { target: "xmpp:new@x.org" }],
      );
      assert.deepEqual(again, first);
      assert.equal((await t.store.communications.get(c.id))?.subject, c.subject);
      const listed = await t.store.communications.listForUser("alice");
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.deliveries.length, 2);
    });

    test("a target delivered already is written delivered, with its native id, never claimed", async () => {
      const c = testCommunication();
      const at = new Date("2025-03-01T10:04:09.250Z");
      const ds = await t.store.communications.insertWithDeliveries(c, [
        { target: "legacy:alice/pbx", deliveredAt: at, nativeId: "call-1@legacy" },
        { target: "legacy:alice/octel" },
      ]);
      const [octel, pbx] = ds;
      assert.equal(pbx?.state, "delivered");
      assert.equal(pbx?.attempts, 1);
      assert.equal(pbx?.nativeId, "call-1@legacy");
      assert.equal(pbx?.deliveredAt?.getTime(), at.getTime());
      assert.deepEqual(await t.store.outbox.get(pbx!.id), pbx);
      assert.equal(octel?.state, "pending");
      assert.equal(octel?.nativeId, undefined);
      assert.equal(octel?.deliveredAt, undefined);
      const claimed = await t.store.outbox.claimDue(new Date(Date.now() + 1000), 10, 30_000);
      assert.deepEqual(
        claimed.map((d) => d.target),
        ["legacy:alice/octel"],
      );
      // A native id without deliveredAt is no delivery: the row stays pending and bare.
      const other = testCommunication();
      const [bare] = await t.store.communications.insertWithDeliveries(other, [
        { target: "legacy:alice/pbx", nativeId: "ignored" },
      ]);
      assert.equal(bare?.state, "pending");
      assert.equal(bare?.nativeId, undefined);
    });

    test("concurrent duplicate inserts produce one set of rows", async () => {
      const c = testCommunication();
      const targets = [{ target: "mailto:a@x.org" }, { target: "tel:+1555" }];
      const [a, b] = await Promise.all([
        t.store.communications.insertWithDeliveries(c, targets),
        t.store.communications.insertWithDeliveries(c, targets),
      ]);
      assert.deepEqual(
        a.map((d) => d.id),
        b.map((d) => d.id),
      );
      const counts = await t.store.outbox.countByState();
      assert.equal(
        counts.reduce((n, r) => n + r.count, 0),
        2,
      );
    });

    test("a failing delivery insert rolls back the communication", async () => {
      const c = testCommunication();
      // An invalid Date makes the second row fail after the communication row was written.
      await assert.rejects(
        t.store.communications.insertWithDeliveries(c, [
          { target: "mailto:a@x.org" },
          { target: "tel:+1", expiresAt: new Date(Number.NaN) },
        ]),
      );
      assert.equal(await t.store.communications.get(c.id), undefined);
      assert.equal(
        await t.store.communications.findByNativeId("email", `<${c.id}@example.org>`),
        undefined,
      );
      assert.deepEqual(await t.store.outbox.countByState(), []);
      // And the same communication can then be stored for real.
      const ds = await t.store.communications.insertWithDeliveries(c, [
        { target: "mailto:a@x.org" },
      ]);
      assert.equal(ds.length, 1);
    });

    test("native ids: own refs, added ids, conflicts", async () => {
      const c = testCommunication();
      const other = testCommunication();
      await t.store.communications.insertWithDeliveries(c, []);
      await t.store.communications.insertWithDeliveries(other, []);
      assert.equal(
        (await t.store.communications.findByNativeId("email", `<${c.id}@example.org>`))?.id,
        c.id,
      );
      await t.store.communications.addNativeId(c.id, "im", "stanza-1");
      await t.store.communications.addNativeId(c.id, "im", "stanza-1");
      assert.equal((await t.store.communications.findByNativeId("im", "stanza-1"))?.id, c.id);
      assert.equal(await t.store.communications.findByNativeId("email", "stanza-1"), undefined);
      assert.deepEqual(await t.store.communications.nativeIdsOf(c.id), [
        { system: "email", nativeId: `<${c.id}@example.org>` },
        { system: "im", nativeId: "stanza-1" },
      ]);
      await assert.rejects(
        t.store.communications.addNativeId(other.id, "im", "stanza-1"),
        ConflictError,
      );
      await assert.rejects(t.store.communications.addNativeId("nope", "im", "x"), NotFoundError);
      // A second communication claiming the same ref is stored; the first keeps the ref.
      const dup = testCommunication({ nativeRefs: c.nativeRefs });
      await t.store.communications.insertWithDeliveries(dup, []);
      assert.equal(
        (await t.store.communications.findByNativeId("email", `<${c.id}@example.org>`))?.id,
        c.id,
      );
    });

    test("listForUser: newest first, limit, before, deliveries attached", async () => {
      const base = Date.parse("2024-01-01T00:00:00Z");
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const c = testCommunication({ receivedAt: new Date(base + i * 1000) });
        ids.push(c.id);
        await t.store.communications.insertWithDeliveries(c, [{ target: `tel:+${i}` }]);
      }
      await t.store.communications.insertWithDeliveries(testCommunication({ userId: "bob" }), []);
      const all = await t.store.communications.listForUser("alice");
      assert.deepEqual(
        all.map((x) => x.communication.id),
        [...ids].reverse(),
      );
      assert.equal(all[0]?.deliveries[0]?.target, "tel:+4");
      const page = await t.store.communications.listForUser("alice", {
        limit: 2,
        before: new Date(base + 3000),
      });
      assert.deepEqual(
        page.map((x) => x.communication.id),
        [ids[2], ids[1]],
      );
      assert.deepEqual(await t.store.communications.listForUser("nobody"), []);
    });
  });
}
