// DigestClient: which challenges it answers, nonce-count per nonce, and safe quoting.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SipHeaders, type SipResponse } from "../message/index.ts";
import { DigestChallenger } from "./challenger.ts";
import { answerChallenge, DigestClient } from "./client.ts";
import { NonceService } from "./nonce.ts";

const REALM = "omnivox.test";
const SECRET = "0123456789abcdef-test-secret";
const REGISTER = { method: "REGISTER", uri: "sip:omnivox.test" };
const alice = { username: "alice", password: "s3cret!" };

function unauthorized(values: string[]): SipResponse {
  const headers = new SipHeaders();
  for (const v of values) headers.add("WWW-Authenticate", v);
  return {
    kind: "response",
    status: 401,
    reason: "Unauthorized",
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

describe("DigestClient", () => {
  const nonces = new NonceService({ secret: SECRET });
  const challenger = new DigestChallenger(nonces);

  it("refuses responses that are not challenges or offer nothing usable", () => {
    const ok = unauthorized([]);
    ok.status = 200;
    assert.deepEqual(answerChallenge(ok, alice, REGISTER), {
      ok: false,
      reason: "not-a-challenge",
    });
    const none = unauthorized([
      'Basic realm="x"',
      'Digest realm="x", nonce="n", algorithm=SHA-512-256',
      'Digest realm="x", nonce="n", qop="auth-int"',
      'Digest realm="x", nonce="n", qop="auth',
    ]);
    assert.deepEqual(answerChallenge(none, alice, REGISTER), {
      ok: false,
      reason: "no-usable-challenge",
    });
  });

  it("only answers the realm it was given credentials for", () => {
    const res = unauthorized(challenger.challenge(REALM).values);
    const answer = answerChallenge(res, { ...alice, realm: "other" }, REGISTER);
    assert.deepEqual(answer, { ok: false, reason: "no-usable-challenge" });
  });

  it("counts nc per nonce and restarts at 1 for a new nonce", () => {
    const client = new DigestClient({ cnonce: () => "c" });
    const first = unauthorized(challenger.challenge(REALM).values);
    const a = client.answerChallenge(first, alice, REGISTER);
    const b = client.answerChallenge(first, alice, REGISTER);
    const c = client.authorize(REALM, alice, REGISTER);
    assert.ok(a.ok && b.ok && c.ok);
    assert.match(a.value, /nc=00000001/);
    assert.match(b.value, /nc=00000002/);
    assert.match(c.value, /nc=00000003/);
    const fresh = client.answerChallenge(
      unauthorized(challenger.challenge(REALM).values),
      alice,
      REGISTER,
    );
    assert.ok(fresh.ok);
    assert.match(fresh.value, /nc=00000001/);
    assert.deepEqual(client.authorize("unknown", alice, REGISTER), {
      ok: false,
      reason: "no-usable-challenge",
    });
  });

  it("escapes quotes in usernames and drops control characters", async () => {
    const res = answerChallenge(
      unauthorized(challenger.challenge(REALM).values),
      { username: 'a"b\r\nX: y', password: "p" },
      REGISTER,
    );
    assert.ok(res.ok);
    assert.match(res.value, /username="a\\"bX: y"/);
    assert.doesNotMatch(res.value, /[\r\n]/);
  });
});
