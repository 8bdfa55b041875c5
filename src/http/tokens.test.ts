import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SessionTokens } from "./tokens.ts";

const ADMIN = "an-admin-token-of-some-length";

describe("SessionTokens", () => {
  it("issues a token that verifies as its user until it expires", () => {
    let now = 1_000_000;
    const tokens = new SessionTokens(ADMIN, 60_000, () => now);
    const { token, expiresAt } = tokens.issue("alice.b-c_d");
    assert.equal(expiresAt.getTime(), 1_060_000);
    assert.equal(tokens.verifyUser(token), "alice.b-c_d");
    now = 1_060_000;
    assert.equal(tokens.verifyUser(token), undefined);
  });

  it("rejects tampered, truncated and foreign tokens", () => {
    const tokens = new SessionTokens(ADMIN, 60_000);
    const { token } = tokens.issue("alice");
    const [user, expiry, mac] = token.split(".") as [string, string, string];
    assert.equal(tokens.verifyUser(`bob.${expiry}.${mac}`), undefined);
    assert.equal(tokens.verifyUser(`${user}.${Number(expiry) + 1000}.${mac}`), undefined);
    const flipped = mac.slice(0, -1) + (mac.endsWith("A") ? "B" : "A");
    assert.equal(tokens.verifyUser(`${user}.${expiry}.${flipped}`), undefined);
    // Every other spelling of the last character: spare bits must not give a second valid MAC.
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
      if (c === mac.at(-1)) continue;
      assert.equal(tokens.verifyUser(`${user}.${expiry}.${mac.slice(0, -1)}${c}`), undefined, c);
    }
    assert.equal(tokens.verifyUser(`${user}.${expiry}`), undefined);
    assert.equal(tokens.verifyUser(""), undefined);
    assert.equal(tokens.verifyUser("..."), undefined);
    // Bound to the password hash: another binding (a changed password) does not verify.
    const bound = tokens.issue("alice", "scrypt$hash-one").token;
    assert.equal(tokens.verifyUser(bound, "scrypt$hash-one"), "alice");
    assert.equal(tokens.verifyUser(bound, "scrypt$hash-two"), undefined);
    assert.equal(tokens.verifyUser(bound), undefined);
    assert.equal(tokens.claimedUser(bound), "alice");
    assert.equal(tokens.claimedUser("no-dots"), undefined);
    const other = new SessionTokens("a-different-admin-token", 60_000);
    assert.equal(other.verifyUser(token), undefined);
  });

  it("recognises only the exact admin token", () => {
    const tokens = new SessionTokens(ADMIN, 60_000);
    assert.equal(tokens.isAdmin(ADMIN), true);
    assert.equal(tokens.isAdmin(`${ADMIN}x`), false);
    assert.equal(tokens.isAdmin(""), false);
    assert.equal(tokens.verifyUser(ADMIN), undefined);
  });

  it("refuses to issue for an id that is not a user id", () => {
    const tokens = new SessionTokens(ADMIN, 60_000);
    assert.throws(() => tokens.issue("Alice"), RangeError);
  });
});
