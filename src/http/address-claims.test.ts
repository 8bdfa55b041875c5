import assert from "node:assert/strict";
import { test } from "node:test";
import { AddressClaims, CLAIM_CODE } from "./address-claims.ts";

const EMAIL = { kind: "email", email: "a@example.com" } as const;

test("a code confirms its own claim once, for its own user, before it expires", () => {
  let now = 1_000_000;
  const claims = new AddressClaims(60_000, () => now);
  const { code, expiresAt } = claims.start("alice", EMAIL);
  assert.match(code, CLAIM_CODE);
  assert.equal(expiresAt.getTime(), 1_060_000);
  assert.deepEqual(claims.confirm("bob", code), { ok: false, reason: "unknown" });
  assert.deepEqual(claims.confirm("alice", code.toLowerCase()), { ok: true, address: EMAIL });
  assert.deepEqual(claims.confirm("alice", code), { ok: false, reason: "unknown" }, "used up");
  const late = claims.start("alice", { kind: "jid", jid: "a@chat.example" }).code;
  now += 60_000;
  assert.deepEqual(claims.confirm("alice", late), { ok: false, reason: "unknown" }, "expired");
});

test("a new code for the same address replaces the old one", () => {
  const claims = new AddressClaims(60_000);
  const first = claims.start("alice", EMAIL).code;
  const second = claims.start("alice", EMAIL).code;
  assert.equal(claims.confirm("alice", first).ok, false);
  assert.equal(claims.confirm("alice", second).ok, true);
});

test("five wrong codes throttle the user and drop their pending claims", () => {
  let now = 1_000_000;
  const claims = new AddressClaims(3600_000, () => now);
  const { code } = claims.start("alice", EMAIL);
  for (let i = 0; i < 4; i++) assert.deepEqual(claims.confirm("alice", "AAAAAAAAAA").ok, false);
  const fifth = claims.confirm("alice", "AAAAAAAAAA");
  assert.equal(!fifth.ok && fifth.reason, "throttled");
  const right = claims.confirm("alice", code);
  assert.equal(!right.ok && right.reason, "throttled", "even the right code waits out the ban");
  now += 15 * 60_000;
  assert.deepEqual(claims.confirm("alice", code), { ok: false, reason: "unknown" }, "dropped");
});
