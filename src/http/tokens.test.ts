import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SessionTokens } from "./tokens.ts";

const SECRET = "c2VydmVyLXNlY3JldC1mb3ItdGVzdHMtMDEyMzQ1Njc";
const ADMIN = "an-admin-token-of-some-length";

describe("SessionTokens", () => {
  it("issues a token that verifies as its user and session until it expires", () => {
    let now = 1_000_000;
    const tokens = new SessionTokens(SECRET, ADMIN, 60_000, () => now);
    const { token, sessionId, expiresAt } = tokens.issue("alice.b-c_d");
    assert.equal(expiresAt.getTime(), 1_060_000);
    assert.match(sessionId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(tokens.verify(token), { userId: "alice.b-c_d", sessionId });
    assert.notEqual(tokens.issue("alice.b-c_d").sessionId, sessionId);
    now = 1_060_000;
    assert.equal(tokens.verify(token), undefined);
  });

  it("rejects tampered, truncated and foreign tokens", () => {
    const tokens = new SessionTokens(SECRET, ADMIN, 60_000);
    const { token } = tokens.issue("alice");
    const [user, sid, expiry, mac] = token.split(".") as [string, string, string, string];
    assert.equal(tokens.verify(`bob.${sid}.${expiry}.${mac}`), undefined);
    const otherSid = sid.slice(0, -1) + (sid.endsWith("A") ? "B" : "A");
    assert.equal(tokens.verify(`${user}.${otherSid}.${expiry}.${mac}`), undefined);
    assert.equal(tokens.verify(`${user}.${sid}.${Number(expiry) + 1000}.${mac}`), undefined);
    const flipped = mac.slice(0, -1) + (mac.endsWith("A") ? "B" : "A");
    assert.equal(tokens.verify(`${user}.${sid}.${expiry}.${flipped}`), undefined);
    // Every other spelling of the last character: spare bits must not give a second valid MAC.
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
      if (c === mac.at(-1)) continue;
      const respelled = `${user}.${sid}.${expiry}.${mac.slice(0, -1)}${c}`;
      assert.equal(tokens.verify(respelled), undefined, c);
    }
    assert.equal(tokens.verify(`${user}.${expiry}.${mac}`), undefined);
    assert.equal(tokens.verify(""), undefined);
    assert.equal(tokens.verify("..."), undefined);
    // Bound to the password hash: another binding (a changed password) does not verify.
    const bound = tokens.issue("alice", "scrypt$hash-one").token;
    assert.equal(tokens.verify(bound, "scrypt$hash-one")?.userId, "alice");
    assert.equal(tokens.verify(bound, "scrypt$hash-two"), undefined);
    assert.equal(tokens.verify(bound), undefined);
    assert.equal(tokens.claims(bound)?.userId, "alice");
    assert.equal(tokens.claims("no-dots"), undefined);
    // Keyed from the server secret: another secret does not verify, another admin token does.
    assert.equal(new SessionTokens(`${SECRET}x`, ADMIN, 60_000).verify(token), undefined);
    assert.equal(new SessionTokens(SECRET, `${ADMIN}-new`, 60_000).verify(token)?.userId, "alice");
  });

  it("recognises only the exact admin token", () => {
    const tokens = new SessionTokens(SECRET, ADMIN, 60_000);
    assert.equal(tokens.isAdmin(ADMIN), true);
    assert.equal(tokens.isAdmin(`${ADMIN}x`), false);
    assert.equal(tokens.isAdmin(SECRET), false);
    assert.equal(tokens.isAdmin(""), false);
    assert.equal(tokens.verify(ADMIN), undefined);
  });

  it("refuses to issue for an id that is not a user id", () => {
    const tokens = new SessionTokens(SECRET, ADMIN, 60_000);
    assert.throws(() => tokens.issue("Alice"), RangeError);
  });
});
