// Published Digest test vectors: RFC 7616 §3.9.1 (MD5 and SHA-256) and RFC 2617 §3.5 (MD5),
// checked through the computation, the client and the verifier.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SipHeaders, type SipResponse } from "../message/index.ts";
import { computeResponse, ha1For } from "./algorithms.ts";
import { answerChallenge } from "./client.ts";
import type { NonceSource } from "./nonce.ts";
import { DigestVerifier } from "./verifier.ts";

const RFC7616 = {
  username: "Mufasa",
  password: "Circle of Life",
  realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  md5: "8ca523f5e9506fed4657c9700eebdbec",
  sha256: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
};

const RFC2617 = {
  username: "Mufasa",
  password: "Circle Of Life",
  realm: "testrealm@host.com",
  nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
  cnonce: "0a4f113b",
  opaque: "5ccc069c403ebaf9f0171e9517f40e41",
  response: "6629fae49393a05397450978507c4ef1",
};

function challengeResponse(values: string[]): SipResponse {
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

/** Accepts exactly one foreign nonce as fresh, so the verifier can be fed the RFC examples. */
function fixedNonce(nonce: string): NonceSource {
  return {
    issue: () => nonce,
    check: (n) => (n === nonce ? "valid" : "invalid"),
    expiresAt: () => Number.MAX_SAFE_INTEGER,
  };
}

const get = { method: "GET", uri: "/dir/index.html" };

describe("RFC 7616 §3.9.1", () => {
  for (const [algorithm, expected] of [
    ["MD5", RFC7616.md5],
    ["SHA-256", RFC7616.sha256],
  ] as const) {
    it(`computes the ${algorithm} response`, () => {
      const ha1 = ha1For(algorithm, RFC7616.username, RFC7616.realm, RFC7616.password);
      const response = computeResponse({
        algorithm,
        ha1,
        ...get,
        nonce: RFC7616.nonce,
        qop: "auth",
        cnonce: RFC7616.cnonce,
        nc: "00000001",
      });
      assert.equal(response, expected);
    });
  }

  const offer = (algorithm: string) =>
    `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`;

  it("client picks SHA-256 over MD5 and produces the RFC's response", () => {
    const res = challengeResponse([offer("MD5"), offer("SHA-256")]);
    const answer = answerChallenge(res, RFC7616, get, { cnonce: () => RFC7616.cnonce });
    assert.ok(answer.ok);
    assert.equal(answer.algorithm, "SHA-256");
    assert.equal(answer.header, "Authorization");
    assert.match(answer.value, new RegExp(`response="${RFC7616.sha256}"`));
    assert.match(answer.value, /nc=00000001/);
    assert.match(answer.value, /qop=auth(,|$)/);
    assert.match(answer.value, new RegExp(`opaque="${RFC7616.opaque}"`));
  });

  it("client answers an MD5-only offer with the RFC's MD5 response", () => {
    const answer = answerChallenge(challengeResponse([offer("MD5")]), RFC7616, get, {
      cnonce: () => RFC7616.cnonce,
    });
    assert.ok(answer.ok);
    assert.match(answer.value, new RegExp(`response="${RFC7616.md5}"`));
  });

  it("verifier accepts the RFC's Authorization for both algorithms", async () => {
    const verifier = new DigestVerifier(fixedNonce(RFC7616.nonce), { replayProtection: false });
    for (const [algorithm, response] of [
      ["MD5", RFC7616.md5],
      ["SHA-256", RFC7616.sha256],
    ]) {
      const authorizationHeaderValue = `Digest username="Mufasa", realm="${RFC7616.realm}", uri="/dir/index.html", algorithm=${algorithm}, nonce="${RFC7616.nonce}", nc=00000001, cnonce="${RFC7616.cnonce}", qop=auth, response="${response}", opaque="${RFC7616.opaque}"`;
      const result = await verifier.verify({ ...get, authorizationHeaderValue }, async () => ({
        password: RFC7616.password,
      }));
      assert.deepEqual(result, { ok: true, username: "Mufasa", realm: RFC7616.realm, algorithm });
    }
  });
});

describe("RFC 2617 §3.5", () => {
  it("computes the MD5 response", () => {
    const ha1 = ha1For("MD5", RFC2617.username, RFC2617.realm, RFC2617.password);
    const response = computeResponse({
      algorithm: "MD5",
      ha1,
      ...get,
      nonce: RFC2617.nonce,
      qop: "auth",
      cnonce: RFC2617.cnonce,
      nc: "00000001",
    });
    assert.equal(response, RFC2617.response);
  });

  it("client answers the RFC's challenge (no algorithm parameter means MD5)", () => {
    const res = challengeResponse([
      `Digest realm="${RFC2617.realm}", qop="auth,auth-int", nonce="${RFC2617.nonce}", opaque="${RFC2617.opaque}"`,
    ]);
    const answer = answerChallenge(res, RFC2617, get, { cnonce: () => RFC2617.cnonce });
    assert.ok(answer.ok);
    assert.equal(answer.algorithm, "MD5");
    assert.match(answer.value, new RegExp(`response="${RFC2617.response}"`));
  });

  it("verifier accepts the RFC's Authorization from a stored MD5 HA1", async () => {
    const verifier = new DigestVerifier(fixedNonce(RFC2617.nonce));
    const ha1 = ha1For("MD5", RFC2617.username, RFC2617.realm, RFC2617.password);
    const result = await verifier.verify(
      {
        ...get,
        realm: RFC2617.realm,
        authorizationHeaderValue: `Digest username="Mufasa", realm="testrealm@host.com", nonce="${RFC2617.nonce}", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="${RFC2617.response}", opaque="${RFC2617.opaque}"`,
      },
      async () => ({ ha1: { md5: ha1 } }),
    );
    assert.equal(result.ok, true);
  });
});
