// OutboxRepo on both dialects: claims (never the same row twice, even concurrently), lease
// expiry, and every state transition the outbox worker drives.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testCommunication, testDialects } from "../../test/support/store.ts";
import { type Delivery, shareOf } from "../core/delivery.ts";
import { NotFoundError } from "../core/errors.ts";

const LEASE = 30_000;

for (const dialect of await testDialects()) {
  describe(`outbox (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    async function seed(targets: string[]): Promise<Delivery[]> {
      return t.store.communications.insertWithDeliveries(
        testCommunication(),
        targets.map((target) => ({ target })),
      );
    }
    const soon = () => new Date(Date.now() + 1000);

    test("claimDue leases due rows once and bumps attempts", async () => {
      const ds = await seed(["mailto:a@x.org", "tel:+1555", "xmpp:a@x.org"]);
      assert.deepEqual(await t.store.outbox.claimDue(new Date(0), 10, LEASE), []);
      const now = soon();
      const first = await t.store.outbox.claimDue(now, 2, LEASE);
      assert.equal(first.length, 2);
      for (const d of first) {
        assert.equal(d.state, "inflight");
        assert.equal(d.attempts, 1);
        assert.equal(d.leaseUntil?.getTime(), now.getTime() + LEASE);
      }
      const rest = await t.store.outbox.claimDue(now, 10, LEASE);
      assert.equal(rest.length, 1);
      assert.deepEqual([...first, ...rest].map((d) => d.id).sort(), ds.map((d) => d.id).sort());
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE), []);
      assert.deepEqual(await t.store.outbox.claimDue(now, 0, LEASE), []);
    });

    test("a capped claim takes at most perTarget rows of one target, counting those under way", async () => {
      const slow = "mailto:slow@x.org";
      // One delivery per communication and target: five mails forwarded to the same address.
      for (let i = 0; i < 5; i++) await seed([slow]);
      await seed(["xmpp:b@x.org", "tel:+1555"]);
      const now = soon();
      const first = await t.store.outbox.claimDue(now, 10, LEASE, 2);
      assert.equal(first.filter((d) => d.target === slow).length, 2);
      assert.equal(first.length, 4, "the other targets are claimed beside the capped one");
      // Two of the slow target are under way: it gets nothing more until one of them ends.
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, 2), []);
      const done = first.find((d) => d.target === slow)!;
      await t.store.outbox.markDelivered(done.id, now);
      const next = await t.store.outbox.claimDue(now, 10, LEASE, 2);
      assert.deepEqual(
        next.map((d) => d.target),
        [slow],
      );
    });

    test("rows this node says are waiting for confirmation count apart: more may be claimed, up to both caps", async () => {
      const xmpp = "xmpp:b@x.org";
      for (let i = 0; i < 8; i++) await seed([xmpp]);
      await seed(["mailto:relay@x.org", "mailto:other@x.org"]);
      const now = soon();
      const cap = (waiting: number) => ({
        sending: 2,
        awaiting: 3,
        awaitingHere: new Map(waiting > 0 ? [[xmpp, waiting]] : []),
      });
      const first = await t.store.outbox.claimDue(now, 10, LEASE, cap(0));
      assert.equal(first.filter((d) => d.target === xmpp).length, 2);
      assert.equal(first.length, 4, "the relay's two mails beside them");
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, cap(0)), []);
      // Both are written and wait for receipts: two more may be sent.
      const more = await t.store.outbox.claimDue(now, 10, LEASE, cap(2));
      assert.equal(more.length, 2);
      // Four under way, three of them waiting: one more fills 2 + 3.
      const last = await t.store.outbox.claimDue(now, 10, LEASE, cap(3));
      assert.equal(last.length, 1);
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, cap(4)), [], "past 2 + 3");
      // Another node's waiting rows are not ours to tell: they count as sending.
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, 2), []);
    });

    test("every mailto: target shares the one relay's cap, other targets keep their own", async () => {
      // Mails forwarded to five different addresses all leave through the one smarthost.
      for (let i = 0; i < 5; i++) await seed([`mailto:user${i}@x.org`]);
      await seed(["web:bob/web", "tel:+1555"]);
      const now = soon();
      const first = await t.store.outbox.claimDue(now, 10, LEASE, 2);
      assert.equal(first.filter((d) => d.target.startsWith("mailto:")).length, 2);
      assert.equal(first.length, 4, "the other targets are claimed beside the relay's two");
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, 2), []);
    });

    test("each webhook is a share of its own: a stalled one holds its cap, not the others'", async () => {
      for (let i = 0; i < 5; i++) await seed(["webhook:slow"]);
      await seed(["webhook:other", "mailto:a@x.org"]);
      assert.equal(shareOf("webhook:slow"), "webhook:slow");
      assert.notEqual(shareOf("webhook:slow"), shareOf("webhook:other"));
      const now = soon();
      const first = await t.store.outbox.claimDue(now, 10, LEASE, 2);
      assert.equal(first.filter((d) => d.target === "webhook:slow").length, 2);
      assert.deepEqual(
        first
          .filter((d) => d.target !== "webhook:slow")
          .map((d) => d.target)
          .sort(),
        ["mailto:a@x.org", "webhook:other"],
      );
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE, 2), []);
    });

    test("an expired lease lets the row be claimed again", async () => {
      const [d] = await seed(["mailto:a@x.org"]);
      const now = soon();
      await t.store.outbox.claimDue(now, 10, LEASE);
      assert.deepEqual(
        await t.store.outbox.claimDue(new Date(now.getTime() + LEASE - 1), 10, LEASE),
        [],
      );
      const again = await t.store.outbox.claimDue(new Date(now.getTime() + LEASE), 10, LEASE);
      assert.equal(again.length, 1);
      assert.equal(again[0]?.id, d?.id);
      assert.equal(again[0]?.attempts, 2);
    });

    test("concurrent claims never return the same row", async () => {
      const targets = Array.from({ length: 40 }, (_, i) => `tel:+1555${i}`);
      await seed(targets.slice(0, 20));
      await seed(targets.slice(20));
      const now = soon();
      const batches = await Promise.all(
        Array.from({ length: 6 }, () => t.store.outbox.claimDue(now, 5, LEASE)),
      );
      const ids = batches.flat().map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length, "a row was claimed twice");
      // Whatever the first round skipped is still there for the next one.
      const more = await t.store.outbox.claimDue(now, 100, LEASE);
      assert.equal(ids.length + more.length, 40);
      assert.equal(new Set([...ids, ...more.map((d) => d.id)]).size, 40);
    });

    test("delivered, retry and failed transitions", async () => {
      const [a, b, c] = await seed(["mailto:a@x.org", "tel:+1", "xmpp:c@x.org"]);
      assert.ok(a && b && c);
      const now = soon();
      await t.store.outbox.claimDue(now, 10, LEASE);

      const at = new Date(now.getTime() + 5);
      await t.store.outbox.markDelivered(a.id, at, "<m1@omnivox>");
      const da = await t.store.outbox.get(a.id);
      assert.equal(da?.state, "delivered");
      assert.equal(da?.deliveredAt?.getTime(), at.getTime());
      assert.equal(da?.nativeId, "<m1@omnivox>");
      assert.equal(da?.leaseUntil, undefined);

      const next = new Date(now.getTime() + 60_000);
      await t.store.outbox.markRetry(b.id, "451 try later", next);
      const db = await t.store.outbox.get(b.id);
      assert.equal(db?.state, "pending");
      assert.equal(db?.lastError, "451 try later");
      assert.equal(db?.nextAttemptAt.getTime(), next.getTime());
      assert.deepEqual(await t.store.outbox.claimDue(now, 10, LEASE), []);
      assert.equal((await t.store.outbox.claimDue(next, 10, LEASE))[0]?.attempts, 2);

      await t.store.outbox.markFailed(c.id, "550 no such user");
      const dc = await t.store.outbox.get(c.id);
      assert.equal(dc?.state, "failed");
      assert.equal(dc?.lastError, "550 no such user");

      await assert.rejects(t.store.outbox.markDelivered("nope", at), NotFoundError);
      await assert.rejects(t.store.outbox.markFailed("nope", "x"), NotFoundError);
      assert.equal(await t.store.outbox.get("nope"), undefined);
    });

    test("hold, releaseHeld and expireDue", async () => {
      const ds = await seed(["web:alice/web", "web:alice/phone", "mailto:a@x.org"]);
      const [a, b, c] = ["web:alice/web", "web:alice/phone", "mailto:a@x.org"].map((target) =>
        ds.find((d) => d.target === target),
      );
      assert.ok(a && b && c);
      const now = soon();
      await t.store.outbox.claimDue(now, 10, LEASE);
      const expires = new Date(now.getTime() + 3_600_000);
      await t.store.outbox.hold(a.id, "client offline", expires);
      await t.store.outbox.hold(b.id, "client offline", new Date(now.getTime() + 10));
      const held = await t.store.outbox.get(a.id);
      assert.equal(held?.state, "held");
      assert.equal(held?.lastError, "client offline");
      assert.equal(held?.expiresAt?.getTime(), expires.getTime());
      // Held rows are never claimed, and c is still leased.
      const reclaimed = await t.store.outbox.claimDue(new Date(now.getTime() + 5), 10, LEASE);
      assert.deepEqual(reclaimed, []);
      assert.equal(await t.store.outbox.expireDue(now), 0);

      assert.equal(await t.store.outbox.expireDue(new Date(now.getTime() + 10)), 1);
      assert.equal((await t.store.outbox.get(b.id))?.state, "expired");
      assert.equal((await t.store.outbox.get(a.id))?.state, "held");

      const released = new Date(now.getTime() + 20);
      assert.equal(await t.store.outbox.releaseHeld("web:alice/web", released), 1);
      assert.equal(await t.store.outbox.releaseHeld("web:alice/web", released), 0);
      const ra = await t.store.outbox.get(a.id);
      assert.equal(ra?.state, "pending");
      assert.equal(ra?.nextAttemptAt.getTime(), released.getTime());
      assert.equal((await t.store.outbox.get(b.id))?.state, "expired");

      // Pending rows past their expiry expire too; delivered/inflight ones do not.
      assert.equal(await t.store.outbox.expireDue(new Date(expires.getTime() + 1)), 1);
      assert.equal((await t.store.outbox.get(a.id))?.state, "expired");
      assert.equal((await t.store.outbox.get(c.id))?.state, "inflight");
    });

    test("requeueInflight puts leased rows back to pending", async () => {
      await seed(["mailto:a@x.org", "tel:+1"]);
      const now = soon();
      await t.store.outbox.claimDue(now, 1, LEASE);
      const later = new Date(now.getTime() + 1);
      assert.equal(await t.store.outbox.requeueInflight(later), 1);
      const claimed = await t.store.outbox.claimDue(later, 10, LEASE);
      assert.equal(claimed.length, 2);
      assert.deepEqual(claimed.map((d) => d.attempts).sort(), [1, 2]);
    });

    test("nextDueAt and countByState", async () => {
      assert.equal(await t.store.outbox.nextDueAt(), undefined);
      assert.deepEqual(await t.store.outbox.countByState(), []);
      const ds = await seed(["mailto:a@x.org", "mailto:b@x.org", "tel:+1", "xmpp:a@x.org"]);
      const due = await t.store.outbox.nextDueAt();
      assert.ok(due instanceof Date);
      assert.equal(due.getTime(), Math.min(...ds.map((d) => d.nextAttemptAt.getTime())));

      const m1 = ds.find((d) => d.target === "mailto:a@x.org");
      const tel = ds.find((d) => d.target === "tel:+1");
      assert.ok(m1 && tel);
      const now = soon();
      await t.store.outbox.claimDue(now, 10, LEASE);
      await t.store.outbox.markDelivered(m1.id, now);
      const later = new Date(now.getTime() + 99_000);
      await t.store.outbox.markRetry(tel.id, "busy", later);
      assert.equal((await t.store.outbox.nextDueAt())?.getTime(), later.getTime());
      assert.deepEqual(await t.store.outbox.countByState(), [
        { state: "delivered", scheme: "mailto", count: 1 },
        { state: "inflight", scheme: "mailto", count: 1 },
        { state: "inflight", scheme: "xmpp", count: 1 },
        { state: "pending", scheme: "tel", count: 1 },
      ]);
    });
  });
}
