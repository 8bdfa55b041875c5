import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay } from "./backoff.ts";

test("backoff doubles per attempt within [exp/2, exp] and is capped", () => {
  const opts = { baseMs: 1000, maxMs: 10_000 };
  assert.equal(
    backoffDelay(1, opts, () => 0),
    500,
  );
  assert.equal(
    backoffDelay(1, opts, () => 1),
    1000,
  );
  assert.equal(
    backoffDelay(3, opts, () => 1),
    4000,
  );
  assert.equal(
    backoffDelay(3, opts, () => 0),
    2000,
  );
  assert.equal(
    backoffDelay(20, opts, () => 1),
    10_000,
  );
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, opts)));
  assert.ok(seen.size > 10, "jitter spreads retries");
  for (const d of seen) assert.ok(d >= 4000 && d <= 8000);
});
