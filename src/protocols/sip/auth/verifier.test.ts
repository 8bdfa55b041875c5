// DigestVerifier against challenges from DigestChallenger answered by DigestClient: the round
// trip, each failure reason, stale and replayed nonces, and malformed credentials.

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { SipHeaders, type SipResponse } from "../message/index.ts";
import { ha1For } from "./algorithms.ts";
import { DigestChallenger } from "./challenger.ts";
import { answerChallenge, DigestClient } from "./client.ts";
import { NonceService } from "./nonce.ts";
import { type CredentialLookup, DigestVerifier, type VerifyRequest } from "./verifier.ts";

const REALM = "omnivox.test";
const SECRET = "0123456789abcdef-test-secret";
const REGISTER = { method: "REGISTER", uri: "sip:omnivox.test" };
const alice = { username: "alice", password: "s3cret!" };
const lookup: CredentialLookup = async (username, realm) =>
  username === "alice" && realm === REALM ? { password: alice.password } : undefined;

function unauthorized(values: string[], status = 401): SipResponse {
  const headers = new SipHeaders();
  const name = status === 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
  for (const v of values) headers.add(name, v);
  return {
    kind: "response",
    status,
    reason: "x",
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

describe("DigestVerifier round trip with DigestChallenger and DigestClient", () => {
  let now = 1_700_000_000_000;
  let nonces: NonceService;
  let challenger: DigestChallenger;
  let verifier: DigestVerifier;
  const clock = () => now;

  beforeEach(() => {
    now = 1_700_000_000_000;
    nonces = new NonceService({ secret: SECRET, now: clock });
    challenger = new DigestChallenger(nonces);
    verifier = new DigestVerifier(nonces, { now: clock });
  });

  function answer(password = alice.password, request = REGISTER) {
    const ch = challenger.challenge(REALM);
    const res = answerChallenge(unauthorized(ch.values), { ...alice, password }, request);
    assert.ok(res.ok);
    return res;
  }

  const verify = (value: string | undefined, extra: Partial<VerifyRequest> = {}) =>
    verifier.verify(
      { ...REGISTER, realm: REALM, authorizationHeaderValue: value, ...extra },
      lookup,
    );

  it("offers SHA-256 first and MD5 second, both with qop=auth and one nonce", () => {
    const ch = challenger.challenge(REALM);
    assert.equal(ch.header, "WWW-Authenticate");
    assert.equal(ch.status, 401);
    assert.equal(ch.values.length, 2);
    assert.match(
      ch.values[0]!,
      /^Digest realm="omnivox\.test", nonce="[\w-]+", algorithm=SHA-256, qop="auth"$/,
    );
    assert.match(ch.values[1]!, /algorithm=MD5/);
    const nonceOf = (v: string) => /nonce="([^"]+)"/.exec(v)?.[1];
    assert.equal(nonceOf(ch.values[0]!), nonceOf(ch.values[1]!));
  });

  it("proxy challenges use 407 / Proxy-Authenticate and carry stale=true when asked", () => {
    const ch = challenger.challenge(REALM, { proxy: true, stale: true });
    assert.equal(ch.header, "Proxy-Authenticate");
    assert.equal(ch.status, 407);
    assert.ok(ch.values.every((v) => v.endsWith("stale=true")));
    const res = answerChallenge(unauthorized(ch.values, 407), alice, REGISTER);
    assert.ok(res.ok);
    assert.equal(res.header, "Proxy-Authorization");
  });

  it("accepts the client's SHA-256 answer", async () => {
    const res = answer();
    assert.equal(res.algorithm, "SHA-256");
    assert.deepEqual(await verify(res.value), {
      ok: true,
      username: "alice",
      realm: REALM,
      algorithm: "SHA-256",
    });
  });

  it("accepts an MD5 answer when only MD5 is offered, and from a stored HA1", async () => {
    const ch = challenger.challenge(REALM, { algorithms: ["MD5"] });
    const res = answerChallenge(unauthorized(ch.values), alice, REGISTER);
    assert.ok(res.ok);
    assert.equal(res.algorithm, "MD5");
    const ha1 = ha1For("MD5", "alice", REALM, alice.password);
    const result = await verifier.verify(
      { ...REGISTER, authorizationHeaderValue: res.value },
      async () => ({ ha1: { md5: ha1 } }),
    );
    assert.equal(result.ok, true);
  });

  it("supports the -sess variants", async () => {
    for (const algorithm of ["MD5-sess", "SHA-256-sess"] as const) {
      const ch = challenger.challenge(REALM, { algorithms: [algorithm] });
      const res = answerChallenge(unauthorized(ch.values), alice, REGISTER);
      assert.ok(res.ok);
      assert.equal(res.algorithm, algorithm);
      assert.equal((await verify(res.value)).ok, true, algorithm);
    }
  });

  it("fails a wrong password with bad-response", async () => {
    assert.deepEqual(await verify(answer("wrong").value), { ok: false, reason: "bad-response" });
  });

  it("fails an unknown user, a missing header and a foreign realm", async () => {
    const res = answerChallenge(
      unauthorized(challenger.challenge(REALM).values),
      { username: "mallory", password: "x" },
      REGISTER,
    );
    assert.ok(res.ok);
    assert.deepEqual(await verify(res.value), { ok: false, reason: "unknown-user" });
    assert.deepEqual(await verify(undefined), { ok: false, reason: "missing" });
    assert.deepEqual(await verify("  "), { ok: false, reason: "missing" });
    assert.deepEqual(await verify(answer().value, { realm: "other.test" }), {
      ok: false,
      reason: "realm",
    });
  });

  it("compares the digest uri with the Request-URI as strings", async () => {
    const res = answer();
    assert.deepEqual(await verify(res.value, { uri: "sip:OMNIVOX.test" }), {
      ok: false,
      reason: "uri-mismatch",
    });
  });

  it("fails a request whose method differs from the one signed", async () => {
    const res = answer();
    assert.deepEqual(await verify(res.value, { method: "INVITE" }), {
      ok: false,
      reason: "bad-response",
    });
  });

  it("fails a tampered nonce without consulting the user store", async () => {
    const res = answer();
    const nonce = /nonce="([^"]+)"/.exec(res.value)![1]!;
    // Character 5 lies in the encoded issue time: the forger's way to revive an old nonce.
    const flipped = nonce[5] === "A" ? "B" : "A";
    const tampered = res.value.replace(nonce, nonce.slice(0, 5) + flipped + nonce.slice(6));
    let lookups = 0;
    const result = await verifier.verify(
      { ...REGISTER, authorizationHeaderValue: tampered },
      async () => {
        lookups++;
        return { password: alice.password };
      },
    );
    assert.deepEqual(result, { ok: false, reason: "bad-response" });
    assert.equal(lookups, 0);
  });

  it("fails a nonce issued for another realm", async () => {
    const other = challenger.challenge("elsewhere.test");
    const nonce = /nonce="([^"]+)"/.exec(other.values[0]!)![1]!;
    const forged = `Digest realm="${REALM}", nonce="${nonce}", algorithm=SHA-256, qop="auth"`;
    const res = answerChallenge(unauthorized([forged]), alice, REGISTER);
    assert.ok(res.ok);
    assert.deepEqual(await verify(res.value), { ok: false, reason: "bad-response" });
  });

  it("reports stale for correct credentials on an expired nonce, bad-response for wrong ones", async () => {
    const good = answer();
    const bad = answer("nope");
    now += 5 * 60_000 + 1;
    assert.deepEqual(await verify(good.value), { ok: false, reason: "stale", stale: true });
    assert.deepEqual(await verify(bad.value), { ok: false, reason: "bad-response" });
  });

  it("accepts a nonce right up to its time-to-live", async () => {
    const good = answer();
    now += 5 * 60_000;
    assert.equal((await verify(good.value)).ok, true);
  });

  it("lets another node with the same secret verify", async () => {
    const res = answer();
    const elsewhere = new DigestVerifier(new NonceService({ secret: SECRET, now: clock }));
    const otherKey = new DigestVerifier(new NonceService({ secret: `${SECRET}!`, now: clock }));
    const req = { ...REGISTER, authorizationHeaderValue: res.value };
    assert.equal((await elsewhere.verify(req, lookup)).ok, true);
    assert.deepEqual(await otherKey.verify(req, lookup), { ok: false, reason: "bad-response" });
  });

  it("refuses a replayed nonce-count but accepts the next one", async () => {
    const client = new DigestClient();
    const ch = challenger.challenge(REALM);
    const first = client.answerChallenge(unauthorized(ch.values), alice, REGISTER);
    assert.ok(first.ok);
    assert.equal((await verify(first.value)).ok, true);
    assert.deepEqual(await verify(first.value), { ok: false, reason: "stale", stale: true });
    const second = client.authorize(REALM, alice, REGISTER);
    assert.ok(second.ok);
    assert.match(second.value, /nc=00000002/);
    assert.equal((await verify(second.value)).ok, true);
  });

  it("refuses credentials without qop by default, accepts them only when configured to", async () => {
    const ch = `Digest realm="${REALM}", nonce="${nonces.issue(REALM)}"`;
    const res = answerChallenge(unauthorized([ch]), alice, REGISTER);
    assert.ok(res.ok);
    assert.doesNotMatch(res.value, /qop|nc=|cnonce/);
    assert.deepEqual(await verify(res.value), { ok: false, reason: "qop" });
    const legacy = new DigestVerifier(nonces, { allowNoQop: true });
    const result = await legacy.verify(
      { ...REGISTER, authorizationHeaderValue: res.value },
      lookup,
    );
    assert.equal(result.ok, true);
  });

  it("refuses a nonce-count that does not increase", async () => {
    const client = new DigestClient();
    const ch = challenger.challenge(REALM);
    const first = client.answerChallenge(unauthorized(ch.values), alice, REGISTER);
    assert.ok(first.ok);
    const second = client.authorize(REALM, alice, REGISTER);
    const third = client.authorize(REALM, alice, REGISTER);
    assert.ok(second.ok && third.ok);
    assert.equal((await verify(third.value)).ok, true);
    // nc=2 after nc=3: refused although never seen, then nc=1 too.
    assert.deepEqual(await verify(second.value), { ok: false, reason: "stale", stale: true });
    assert.deepEqual(await verify(first.value), { ok: false, reason: "stale", stale: true });
  });

  it("refuses algorithms it does not know or was told not to accept", async () => {
    const res = answer();
    const unknown = res.value.replace("algorithm=SHA-256", "algorithm=SHA-512-256");
    assert.deepEqual(await verify(unknown), { ok: false, reason: "algorithm" });
    const sha256Only = new DigestVerifier(nonces, { algorithms: ["SHA-256"] });
    const ch = challenger.challenge(REALM, { algorithms: ["MD5"] });
    const md5 = answerChallenge(unauthorized(ch.values), alice, REGISTER);
    assert.ok(md5.ok);
    const result = await sha256Only.verify(
      { ...REGISTER, authorizationHeaderValue: md5.value },
      lookup,
    );
    assert.deepEqual(result, { ok: false, reason: "algorithm" });
  });

  it("reports algorithm when only an HA1 of the other hash is stored", async () => {
    const res = answer();
    const result = await verifier.verify(
      { ...REGISTER, authorizationHeaderValue: res.value },
      async () => ({ ha1: { md5: ha1For("MD5", "alice", REALM, alice.password) } }),
    );
    assert.deepEqual(result, { ok: false, reason: "algorithm" });
  });

  it("picks the credentials for its realm among several values", async () => {
    const res = answer();
    const foreign = res.value.replace(`realm="${REALM}"`, 'realm="proxy.example"');
    const result = await verify(undefined, { authorizationHeaderValue: [foreign, res.value] });
    assert.equal(result.ok, true);
  });

  it("answers malformed for broken credentials and never throws", async () => {
    const res = answer();
    const without = (name: string) =>
      `Digest ${res.value
        .slice("Digest ".length)
        .split(", ")
        .filter((p) => !p.startsWith(`${name}=`))
        .join(", ")}`;
    const cases = [
      "Digest",
      "Basic YWxpY2U6cw==",
      "Digest username=",
      'Digest username="alice, realm="x"',
      res.value.replace('response="', 'response="zz'),
      res.value.replace(/response="[0-9a-f]+"/, 'response="abcd"'),
      res.value.replace("nc=00000001", "nc=1"),
      res.value.replace("qop=auth", "qop=auth-int"),
      without("username"),
      without("nonce"),
      without("uri"),
      without("response"),
      without("cnonce"),
      `Digest username="${"a".repeat(100_000)}", realm="x", nonce="y", uri="z", response="0"`,
      "Digest \u0000\u0001\u0002",
    ];
    for (const value of cases) {
      const result = await verify(value);
      assert.deepEqual(result, { ok: false, reason: "malformed" }, value.slice(-120));
    }
  });
});
