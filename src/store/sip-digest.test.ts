// SIP digest secrets (migration 002) on both dialects: the HA1 helper against RFC 2617's vector
// and the SIP layer's own computation, the users repo round trip, and the lookup the registrar
// uses — driven through a real challenge, client answer and verification.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { defaultProfile } from "../core/profile.ts";
import {
  answerChallenge,
  DigestChallenger,
  DigestVerifier,
  ha1For,
  NonceService,
} from "../protocols/sip/auth/index.ts";
import { SipHeaders, type SipResponse } from "../protocols/sip/message/index.ts";
import { newSipSecret, sipCredentialLookup, sipDigestSecrets } from "./secrets.ts";

const REALM = "voice.example.test";

describe("sipDigestSecrets", () => {
  test("matches RFC 2617 §3.5's HA1 and the SIP layer's computation", () => {
    const d = sipDigestSecrets("Mufasa", "testrealm@host.com", "Circle Of Life");
    assert.equal(d.md5, "939e7578ed9e3c518a452acee763bce9");
    assert.equal(d.realm, "testrealm@host.com");
    const other = sipDigestSecrets("alice", REALM, "pässwörd ✓");
    assert.equal(other.md5, ha1For("MD5", "alice", REALM, "pässwörd ✓"));
    assert.equal(other.sha256, ha1For("SHA-256", "alice", REALM, "pässwörd ✓"));
    assert.match(other.sha256, /^[0-9a-f]{64}$/);
  });

  test("the realm and the user are part of the hash", () => {
    const a = sipDigestSecrets("alice", REALM, "secret-pw");
    assert.notEqual(a.md5, sipDigestSecrets("alice", "other.test", "secret-pw").md5);
    assert.notEqual(a.sha256, sipDigestSecrets("bob", REALM, "secret-pw").sha256);
  });
});

function unauthorized(values: string[]): SipResponse {
  const headers = new SipHeaders();
  for (const v of values) headers.add("WWW-Authenticate", v);
  return {
    kind: "response",
    status: 401,
    reason: "x",
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

for (const dialect of await testDialects()) {
  describe(`SIP digest credentials (${dialect.name})`, { skip: dialect.skip }, () => {
    let t: OpenedTestStore;
    beforeEach(async () => {
      t = await dialect.open();
    });
    afterEach(() => t.cleanup());

    test("stored with the user, survive a reopen, and are replaced with the password", async () => {
      const first = sipDigestSecrets("alice", REALM, "first-password");
      const rec = await t.store.users.create(defaultProfile("alice"), {
        passwordHash: "scrypt$x",
        sipDigest: first,
      });
      assert.deepEqual(rec.secrets.sipDigest, first);
      const store = await t.reopen();
      assert.deepEqual((await store.users.get("alice"))?.secrets.sipDigest, first);

      // A profile-only update keeps them; a new password brings new ones.
      await store.users.update("alice", { ...defaultProfile("alice"), displayName: "A" });
      assert.deepEqual((await store.users.get("alice"))?.secrets.sipDigest, first);
      const second = sipDigestSecrets("alice", REALM, "second-password");
      await store.users.update("alice", defaultProfile("alice"), {
        passwordHash: "scrypt$y",
        sipDigest: second,
      });
      const got = await store.users.get("alice");
      assert.deepEqual(got?.secrets, { passwordHash: "scrypt$y", sipDigest: second });
    });

    test("a SIP secret's values carry when it was issued; older password-made ones do not", async () => {
      const sip = newSipSecret("carol", REALM, new Date(1_700_000_000_000));
      assert.match(sip.secret, /^[a-z2-7]{26}$/);
      assert.notEqual(newSipSecret("carol", REALM).secret, sip.secret);
      await t.store.users.create(defaultProfile("carol"), { ...sip.secrets });
      // Made before migration 005: digest from the web password, no issue time.
      await t.store.users.create(defaultProfile("dave"), {
        sipDigest: sipDigestSecrets("dave", REALM, "web-password"),
      });
      const store = await t.reopen();
      assert.equal(await store.users.countPasswordSipDigests(), 1, "dave");
      const carol = (await store.users.get("carol"))?.secrets;
      assert.deepEqual(carol?.sipDigest, sipDigestSecrets("carol", REALM, sip.secret));
      assert.equal(carol?.sipSecretAt?.getTime(), 1_700_000_000_000);
      const dave = (await store.users.get("dave"))?.secrets;
      assert.deepEqual(dave?.sipDigest, sipDigestSecrets("dave", REALM, "web-password"));
      assert.equal(dave?.sipSecretAt, undefined);
      // Rotation replaces both together, and nothing else.
      const next = newSipSecret("dave", REALM, new Date(1_800_000_000_000));
      const { sipDigest, sipSecretAt } = next.secrets;
      assert.equal(await store.users.setSipDigest("dave", sipDigest, sipSecretAt), true);
      assert.equal(await store.users.setSipDigest("nobody", sipDigest, sipSecretAt), false);
      const rotated = (await store.users.get("dave"))?.secrets;
      assert.deepEqual(rotated?.sipDigest, sipDigestSecrets("dave", REALM, next.secret));
      assert.equal(rotated?.sipSecretAt?.getTime(), 1_800_000_000_000);
      assert.deepEqual((await store.users.get("dave"))?.profile, defaultProfile("dave"));
      assert.equal(await store.users.countPasswordSipDigests(), 0);
    });

    test("a user without a password has no digest secrets", async () => {
      await t.store.users.create(defaultProfile("bob"), {});
      assert.equal((await t.store.users.get("bob"))?.secrets.sipDigest, undefined);
      assert.equal(await sipCredentialLookup(t.store.users)("bob", REALM), undefined);
    });

    test("the lookup serves the verifier: right password passes, wrong one and other realm fail", async () => {
      await t.store.users.create(defaultProfile("alice"), {
        sipDigest: sipDigestSecrets("alice", REALM, "correct-password"),
      });
      const lookup = sipCredentialLookup(t.store.users);
      assert.deepEqual(await lookup("alice", REALM), {
        ha1: {
          md5: ha1For("MD5", "alice", REALM, "correct-password"),
          sha256: ha1For("SHA-256", "alice", REALM, "correct-password"),
        },
      });
      // HA1 is realm-bound: after sip.domain changes the old values must not be offered.
      assert.equal(await lookup("alice", "renamed.example.test"), undefined);
      assert.equal(await lookup("nobody", REALM), undefined);

      const nonces = new NonceService({ secret: "0123456789abcdef-test-secret" });
      const challenger = new DigestChallenger(nonces);
      const verifier = new DigestVerifier(nonces);
      const register = { method: "REGISTER", uri: `sip:${REALM}` };
      for (const algorithms of [["SHA-256"], ["MD5"]] as const) {
        for (const [password, ok] of [
          ["correct-password", true],
          ["wrong-password", false],
        ] as const) {
          const ch = challenger.challenge(REALM, { algorithms });
          const answer = answerChallenge(
            unauthorized(ch.values),
            { username: "alice", password },
            register,
          );
          assert.ok(answer.ok);
          const result = await verifier.verify(
            { ...register, realm: REALM, authorizationHeaderValue: answer.value },
            lookup,
          );
          assert.equal(result.ok, ok, `${algorithms[0]} with ${password}`);
        }
      }
    });
  });
}
