import assert from "node:assert/strict";
import { test } from "node:test";
import { Throttle, type ThrottleOptions } from "./throttle.ts";

const OPTIONS: ThrottleOptions = {
  maxFailures: 3,
  windowMs: 10_000,
  banMs: 1000,
  banFactor: 2,
  maxBanMs: 5000,
  forgetMs: 60_000,
  maxKeys: 100,
};

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test("the limit bans the key, and each further ban is longer up to the cap", () => {
  const c = clock();
  const t = new Throttle(OPTIONS, c.now);
  assert.deepEqual(t.fail("a"), { allowed: true });
  assert.deepEqual(t.fail("a"), { allowed: true });
  assert.deepEqual(t.fail("a"), { allowed: false, retryAfterMs: 1000 });
  assert.deepEqual(t.check("b"), { allowed: true }, "another key is untouched");
  c.t += 999;
  assert.equal(t.check("a").allowed, false);
  c.t += 1;
  assert.deepEqual(t.check("a"), { allowed: true });
  const bans: number[] = [];
  for (let round = 0; round < 4; round++) {
    let verdict = t.fail("a");
    while (verdict.allowed) verdict = t.fail("a");
    bans.push(verdict.retryAfterMs);
    c.t += verdict.retryAfterMs;
  }
  assert.deepEqual(bans, [2000, 4000, 5000, 5000]);
});

test("failures spread wider than the window never ban; a success clears the count", () => {
  const c = clock();
  const t = new Throttle(OPTIONS, c.now);
  for (let i = 0; i < 10; i++) {
    t.fail("a");
    t.fail("a");
    c.t += 10_000;
  }
  assert.equal(t.check("a").allowed, true);
  t.fail("b");
  t.fail("b");
  t.succeed("b");
  assert.equal(t.failures("b"), 0);
  assert.equal(t.fail("b").allowed, true);
});

test("a ban history is forgotten after forgetMs without failures", () => {
  const c = clock();
  const t = new Throttle(OPTIONS, c.now);
  for (let i = 0; i < 3; i++) t.fail("a");
  c.t += 60_000;
  assert.equal(t.size, 1);
  assert.equal(t.check("a").allowed, true);
  assert.equal(t.size, 0);
  for (let i = 0; i < 2; i++) t.fail("a");
  assert.deepEqual(t.fail("a"), { allowed: false, retryAfterMs: 1000 }, "first ban length again");
});

test("memory is bounded by maxKeys, and banned keys outlive the flood that tries to evict them", () => {
  const c = clock();
  const t = new Throttle({ ...OPTIONS, maxKeys: 50, maxBanMs: 3_600_000, banMs: 3_600_000 }, c.now);
  for (let i = 0; i < 3; i++) t.fail("attacker");
  assert.equal(t.check("attacker").allowed, false);
  for (let i = 0; i < 10_000; i++) t.fail(`spray-${i}`);
  assert.ok(t.size <= 50, `tracked ${t.size}`);
  assert.equal(t.check("attacker").allowed, false);
  assert.equal(t.banned(), 1);
});

test("bad options are refused", () => {
  assert.throws(() => new Throttle({ ...OPTIONS, maxFailures: 0 }), RangeError);
  assert.throws(() => new Throttle({ ...OPTIONS, maxKeys: 0 }), RangeError);
});
