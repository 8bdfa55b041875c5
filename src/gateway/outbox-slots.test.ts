// The outbox's slots: every mailto: target counts against the one relay's share, other targets
// against their own, and the whole pool against concurrency.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OutboxSlots } from "./outbox-slots.ts";

test("mail to any address shares the relay's share; other targets keep theirs", () => {
  const slots = new OutboxSlots({ concurrency: 5, perTargetConcurrency: 2, leaseMs: 1000 });
  assert.equal(slots.take("mailto:a@x.org"), true);
  assert.equal(slots.take("mailto:b@x.org"), true);
  assert.equal(
    slots.take("mailto:c@x.org"),
    false,
    "a third mail took a slot of the stalled relay",
  );
  assert.equal(slots.take("web:bob/web"), true);
  assert.equal(slots.take("web:bob/web"), true);
  assert.equal(slots.take("web:bob/web"), false);
  slots.give("mailto:a@x.org");
  assert.equal(slots.take("mailto:c@x.org"), true);
  assert.equal(slots.take("tel:+1555"), true);
  assert.equal(slots.take("tel:+1666"), false, "past concurrency");
  assert.equal(slots.free, 0);
});

test("a delivery waiting for confirmation frees its slot, up to the target's waiting places", () => {
  const slots = new OutboxSlots({
    concurrency: 2,
    perTargetConcurrency: 1,
    perTargetAwaiting: 2,
    leaseMs: 1000,
  });
  const x = "xmpp:bob@example.org";
  assert.equal(slots.take(x), true);
  assert.equal(slots.take(x), false, "past the sending share");
  assert.equal(slots.await(x), true);
  assert.equal(slots.free, 2, "the waiting delivery still holds a slot");
  assert.equal(slots.take(x), true);
  assert.equal(slots.await(x), true);
  assert.equal(slots.take(x), true);
  assert.equal(slots.full(x), true);
  assert.equal(slots.await(x), false, "a third waiting place");
  assert.equal(slots.take("web:bob/web"), true, "the other slot serves another target");
  assert.deepEqual(slots.cap().awaitingHere, new Map([[x, 2]]));
  slots.settle(x);
  assert.equal(slots.await(x), true);
  assert.equal(slots.free, 1);
  slots.give(x.replace("xmpp", "web"));
  slots.settle(x);
  slots.settle(x);
  assert.equal(slots.free, 2);
  assert.deepEqual(slots.cap().awaitingHere, new Map());
});
