import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenBuckets } from "./rate-limit.ts";

test("a burst passes, then sends are limited to the refill rate, per key", () => {
  const buckets = new TokenBuckets({ burst: 3, perMinute: 60 });
  const t0 = 1_000_000;
  for (let i = 0; i < 3; i++) assert.deepEqual(buckets.take("alice", t0), { ok: true });
  assert.deepEqual(buckets.take("alice", t0), { ok: false, retryAfterMs: 1000 });
  assert.deepEqual(buckets.take("bob", t0), { ok: true }, "another key has its own bucket");
  assert.deepEqual(buckets.take("alice", t0 + 400), { ok: false, retryAfterMs: 600 });
  assert.deepEqual(buckets.take("alice", t0 + 1000), { ok: true });
  // A long pause refills up to the burst, not beyond.
  const later = t0 + 3_600_000;
  for (let i = 0; i < 3; i++) assert.equal(buckets.take("alice", later).ok, true);
  assert.equal(buckets.take("alice", later).ok, false);
});

test("idle buckets are dropped when the table is full; busy ones are kept", () => {
  const buckets = new TokenBuckets({ burst: 1, perMinute: 1, maxKeys: 2 });
  assert.equal(buckets.take("a", 0).ok, true);
  assert.equal(buckets.take("b", 0).ok, true);
  // Both are empty, so neither is dropped; a third key still gets its bucket.
  assert.equal(buckets.take("c", 1).ok, true);
  assert.equal(buckets.take("a", 2).ok, false, "a is still limited");
});
