// NonceService (stateless HMAC nonces, expiry, forgery) and NonceCountTracker (nc replay).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NonceService } from "./nonce.ts";
import { NonceCountTracker } from "./replay.ts";

const SECRET = "a-secret-of-enough-length";

describe("NonceService", () => {
  it("issues unique, token-safe nonces that check as valid for their realm only", () => {
    let now = 1_000_000;
    const nonces = new NonceService({ secret: SECRET, now: () => now });
    const a = nonces.issue("r");
    const b = nonces.issue("r");
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{40}$/);
    assert.equal(nonces.check(a, "r"), "valid");
    assert.equal(nonces.check(a, "R"), "invalid");
    assert.equal(nonces.expiresAt(a), 1_000_000 + 5 * 60_000);
    now += 5 * 60_000 + 1;
    assert.equal(nonces.check(a, "r"), "stale");
  });

  it("honours a configured time-to-live", () => {
    let now = 0;
    const nonces = new NonceService({ secret: SECRET, ttlMs: 1000, now: () => now });
    const n = nonces.issue("r");
    now = 1000;
    assert.equal(nonces.check(n, "r"), "valid");
    now = 1001;
    assert.equal(nonces.check(n, "r"), "stale");
  });

  it("refuses nonces dated too far in the future (clock skew beyond 30 s)", () => {
    let now = 10_000_000;
    const issuer = new NonceService({ secret: SECRET, now: () => now });
    const n = issuer.issue("r");
    now -= 30_000;
    assert.equal(issuer.check(n, "r"), "valid");
    now -= 1;
    assert.equal(issuer.check(n, "r"), "invalid");
  });

  it("refuses garbage without throwing", () => {
    const nonces = new NonceService({ secret: SECRET });
    for (const bad of ["", "x", "!".repeat(40), "A".repeat(40), "A".repeat(41), "é".repeat(40)]) {
      assert.equal(nonces.check(bad, "r"), "invalid", bad);
    }
    assert.equal(nonces.expiresAt("short"), undefined);
  });

  it("requires a secret of at least 16 bytes", () => {
    assert.throws(() => new NonceService({ secret: "short" }), RangeError);
    assert.doesNotThrow(() => new NonceService({ secret: Buffer.alloc(16, 1) }));
  });
});

describe("NonceCountTracker", () => {
  it("accepts only counts above every one used with the nonce before", () => {
    const t = new NonceCountTracker();
    assert.equal(t.use("n", 1, 100, 0), true);
    assert.equal(t.use("n", 3, 100, 0), true);
    assert.equal(t.use("n", 2, 100, 0), false, "below the highest: a replay or a reorder");
    assert.equal(t.use("n", 3, 100, 0), false, "repeated");
    assert.equal(t.use("n", 4, 100, 0), true);
    assert.equal(t.use("other", 3, 100, 0), true, "counts are per nonce");
  });

  it("forgets expired nonces and stays within its capacity", () => {
    const t = new NonceCountTracker(3);
    t.use("a", 1, 10, 0);
    t.use("b", 1, 10, 0);
    t.use("c", 1, 100, 0);
    t.use("d", 1, 100, 20); // a and b expired
    assert.equal(t.size, 2);
    t.use("e", 1, 100, 20);
    t.use("f", 1, 100, 20); // over capacity: the oldest goes
    assert.equal(t.size, 3);
    assert.equal(t.use("c", 1, 100, 20), true, "c was forgotten, so its count is new again");
  });
});
