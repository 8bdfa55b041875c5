import assert from "node:assert/strict";
import { test } from "node:test";
import { adminTokenWeakness } from "./admin-token-strength.ts";

test("the example placeholder, short, repetitive and narrow tokens are weak", () => {
  assert.match(adminTokenWeakness("change-me-to-a-long-random-string") ?? "", /placeholder/);
  assert.match(adminTokenWeakness("Change-Me-please-0123456789abc") ?? "", /placeholder/);
  assert.match(adminTokenWeakness("x".repeat(20)) ?? "", /at least 24/);
  assert.match(adminTokenWeakness("aB3$aB3$aB3$aB3$aB3$aB3$aB3$") ?? "", /variety/);
  assert.match(adminTokenWeakness("0123456789".repeat(3)) ?? "", /variety/);
  assert.match(adminTokenWeakness("a".repeat(64)) ?? "", /variety/);
  assert.match(adminTokenWeakness("qwertyuiqwertyuiqwertyui") ?? "", /variety/);
});

test("random tokens and the test harness tokens pass", () => {
  assert.equal(adminTokenWeakness("test-admin-token-0123456789"), undefined);
  assert.equal(adminTokenWeakness("Qm9sZC1yYW5kb20tdG9rZW4tZm9yLXRlc3Rz"), undefined);
  assert.equal(adminTokenWeakness("5d41402abc4b2a76b9719d911017c592"), undefined);
});
