// Signed audio links and byte ranges: links verify until they expire, any change to id, expiry
// or signature (or another server secret) breaks them, and Range headers map to the right bytes.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRange } from "./audio-reply.ts";
import { AudioUrlSigner, baseUrlOf, createAudioLinks } from "./audio-urls.ts";
import { SessionTokens } from "./tokens.ts";

const ADMIN = "c2VydmVyLXNlY3JldC1mb3ItdGVzdHMtMDEyMzQ1Njc";

function parts(path: string) {
  const url = new URL(path, "http://x");
  return {
    id: url.pathname.slice("/api/v1/audio/".length),
    exp: url.searchParams.get("exp") ?? "",
    sig: url.searchParams.get("sig") ?? "",
  };
}

describe("AudioUrlSigner", () => {
  it("signs a relative path that verifies until it expires", () => {
    let now = 5_000_000;
    const signer = new AudioUrlSigner(ADMIN, () => now);
    const path = signer.signAudioUrl("vm-1_a", 60_000);
    assert.match(path, /^\/api\/v1\/audio\/vm-1_a\?exp=5060000&sig=[A-Za-z0-9_-]{43}$/);
    const { id, exp, sig } = parts(path);
    assert.equal(signer.verify(id, exp, sig), "ok");
    now = 5_060_000;
    assert.equal(signer.verify(id, exp, sig), "expired");
  });

  it("refuses tampered links and links signed with another server secret", () => {
    const signer = new AudioUrlSigner(ADMIN);
    const { id, exp, sig } = parts(signer.signAudioUrl("vm1", 60_000));
    assert.equal(signer.verify("vm2", exp, sig), "invalid");
    assert.equal(signer.verify(id, String(Number(exp) + 1), sig), "invalid");
    const flipped = sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A");
    assert.equal(signer.verify(id, exp, flipped), "invalid");
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
      if (c !== sig.at(-1))
        assert.equal(signer.verify(id, exp, sig.slice(0, -1) + c), "invalid", c);
    }
    assert.equal(signer.verify(id, exp, ""), "invalid");
    assert.equal(signer.verify(id, "soon", sig), "invalid");
    assert.equal(signer.verify("../etc", exp, sig), "invalid");
    assert.equal(new AudioUrlSigner("another-admin-token-here").verify(id, exp, sig), "invalid");
    assert.throws(() => signer.signAudioUrl("../x", 1000), RangeError);
  });

  it("has its own key: a session token's MAC is no audio signature", () => {
    // A session token for user "vm1" signs "vm1.<exp>", the very string an audio link signs.
    const session = new SessionTokens(ADMIN, "an-admin-token-of-some-length", 60_000).issue("vm1");
    const [user, , exp, mac] = session.token.split(".") as [string, string, string, string];
    assert.equal(new AudioUrlSigner(ADMIN).verify(user, exp, mac), "invalid");
  });

  it("makes absolute links from publicUrl or the bound listener", () => {
    assert.equal(
      baseUrlOf({ publicUrl: "https://um.example.com/ov/" }, { host: "0.0.0.0", port: 1 }),
      "https://um.example.com/ov",
    );
    assert.equal(baseUrlOf({}, { host: "127.0.0.1", port: 8080 }), "http://127.0.0.1:8080");
    assert.equal(baseUrlOf({}, { host: "::1", port: 9 }), "http://[::1]:9");
    let port = 0;
    const links = createAudioLinks({
      signer: new AudioUrlSigner(ADMIN, () => 1000),
      baseUrl: () => `http://127.0.0.1:${port}`,
      defaultTtlMs: 500,
    });
    port = 4321;
    assert.match(
      links.urlFor("a1"),
      /^http:\/\/127\.0\.0\.1:4321\/api\/v1\/audio\/a1\?exp=1500&sig=/,
    );
    assert.match(links.urlFor("a1", 9000), /exp=10000&/);
  });
});

describe("parseRange", () => {
  it("reads one range, open-ended and suffix forms, clamped to the size", () => {
    assert.deepEqual(parseRange("bytes=0-9", 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange("bytes=90-", 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange("bytes=90-500", 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange("bytes=-500", 100), { start: 0, end: 99 });
  });

  it("ignores what it cannot read and refuses ranges past the end", () => {
    assert.equal(parseRange(undefined, 100), undefined);
    assert.equal(parseRange("bytes=0-1,5-6", 100), undefined);
    assert.equal(parseRange("items=0-1", 100), undefined);
    assert.equal(parseRange("bytes=9-3", 100), undefined);
    assert.equal(parseRange("bytes=-", 100), undefined);
    assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
    assert.equal(parseRange("bytes=-0", 100), "unsatisfiable");
    assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
  });
});
