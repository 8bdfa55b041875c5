import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay } from "./backoff.ts";

const EXACT = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 };

test("the first failure waits the initial delay, each further one `factor` times more, up to the cap", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 1000].map((n) => backoffDelay(n, EXACT)),
    [100, 200, 400, 800, 1000, 1000, 1000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => backoffDelay(n, { ...EXACT, factor: 3 })),
    [100, 300, 900],
  );
  assert.equal(backoffDelay(0, EXACT), 100, "no failure yet counts as the first");
});

test("jitter takes its share off the delay and never passes the cap", () => {
  const half = { ...EXACT, jitter: 0.5 };
  assert.equal(backoffDelay(1, { ...half, random: () => 0 }), 50);
  assert.equal(backoffDelay(1, { ...half, random: () => 1 }), 100);
  assert.equal(backoffDelay(20, { ...half, random: () => 0 }), 500);
  assert.equal(backoffDelay(20, { ...half, random: () => 1 }), 1000);
  assert.equal(backoffDelay(3, { ...EXACT, jitter: 0.2, random: () => 0 }), 320);
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, half)));
  assert.ok(seen.size > 10, "the default random spreads retries");
  for (const d of seen) assert.ok(d >= 400 && d <= 800, `${d}`);
});

test("the default is doubling with equal jitter", () => {
  const options = { initialDelayMs: 1000, maxDelayMs: 10_000 };
  assert.equal(backoffDelay(3, { ...options, random: () => 0 }), 2000);
  assert.equal(backoffDelay(3, { ...options, random: () => 1 }), 4000);
});

test("nonsense options are clamped, never NaN, negative or above the cap", () => {
  assert.equal(backoffDelay(5, { initialDelayMs: 0, maxDelayMs: 0 }), 0);
  assert.equal(backoffDelay(1e9, { initialDelayMs: 0, maxDelayMs: 50, factor: 10 }), 0);
  assert.equal(backoffDelay(2, { initialDelayMs: -5, maxDelayMs: 100, jitter: 0 }), 0);
  assert.equal(backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 50, jitter: 0 }), 100);
  assert.equal(backoffDelay(3, { ...EXACT, factor: 0.5 }), 100, "factor below 1 reads as 1");
  assert.equal(
    backoffDelay(1, { ...EXACT, jitter: 7, random: () => 0 }),
    0,
    "jitter above 1 reads as 1",
  );
  assert.equal(backoffDelay(1, { ...EXACT, jitter: -1, random: () => 0 }), 100);
});
