// Password guessing and replay against omnivox's registrar over real UDP sockets, with our own
// SIP message code as the attacker (test/support/sip-raw-client.ts): wrong digests from one
// source end in 403 (challenged INVITEs too) while the right SIP secret from another source — a
// real baresip phone among them — still registers; a foreign
// domain answers the same to right and wrong passwords; a captured REGISTER cannot be replayed;
// credentials without qop are refused; phones register with the SIP secret, not the web
// password, and rotating the secret ends the old one (docs/security.md "SIP digest").

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { answerChallenge, computeResponse, ha1For } from "../../src/protocols/sip/auth/index.ts";
import type { SipResponse } from "../../src/protocols/sip/message/index.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { newCallId, RawSipClient } from "../support/sip-raw-client.ts";

const baresipBin = peer("baresip", "baresip");
let t: TestApp;
let phone: Baresip | undefined;
let server: { host: string; port: number };
let aliceSip = "";
const clients: RawSipClient[] = [];

before(async () => {
  // The per-source REGISTER budget (sip.limits) would start answering 503 within these bursts;
  // raised here so that what is measured is the digest throttle alone.
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0", limits: { register: { burst: 1000, perMinute: 60_000 } } },
  });
  server = { host: "127.0.0.1", port: t.app.ports.sip!.port };
  aliceSip = (
    await t.addUser({ id: "alice", phones: ["+15550001"], password: "alice-web-password" })
  ).sipSecret;
});

after(async () => {
  await phone?.stop();
  for (const c of clients) c.close();
  await t?.stop();
});

async function client(host: string): Promise<RawSipClient> {
  const c = await RawSipClient.open(host);
  clients.push(c);
  return c;
}

/** A challenge-answer pair: REGISTER without credentials, then with them for `password`. */
async function attempt(
  c: RawSipClient,
  password: string,
  opts: { callId?: string; cseq?: number; contact?: string } = {},
): Promise<{ challenge: SipResponse; answer?: SipResponse; authorization?: string }> {
  const callId = opts.callId ?? newCallId();
  const cseq = opts.cseq ?? 1;
  const contact = opts.contact ?? `sip:alice@${c.host}:${c.port}`;
  const challenge = await c.register(server, { user: "alice", callId, cseq, contact });
  if (challenge.status !== 401) return { challenge };
  const auth = answerChallenge(
    challenge,
    { username: "alice", password },
    { method: "REGISTER", uri: "sip:localhost" },
  );
  assert.ok(auth.ok, "our client answers omnivox's challenge");
  const answer = await c.register(server, {
    user: "alice",
    callId,
    cseq: cseq + 1,
    contact,
    authorization: auth.value,
  });
  return { challenge, answer, authorization: auth.value };
}

function nonceOf(res: SipResponse): string | undefined {
  return /nonce="([^"]+)"/.exec(res.headers.get("www-authenticate") ?? "")?.[1];
}

describe("SIP digest against an attacker", { timeout: 120_000 }, () => {
  it("50 wrong digests from one source end in 403; the right secret from another registers", async () => {
    const attacker = await client("127.0.0.1");
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await attempt(attacker, `guess-${i}`);
      statuses.push(r.answer?.status ?? r.challenge.status);
    }
    // sip.authThrottle.source.maxFailures is 10: nine 401s, then the ban.
    assert.deepEqual(statuses.slice(0, 9), Array(9).fill(401), statuses.join(","));
    assert.deepEqual(statuses.slice(9), Array(41).fill(403), statuses.join(","));
    // During the ban even the right secret gets 403: a hit is not recognisable.
    const right = await attempt(attacker, aliceSip);
    assert.equal(right.answer?.status ?? right.challenge.status, 403);

    const owner = await client("127.0.0.2");
    const ok = await attempt(owner, aliceSip);
    assert.equal(ok.challenge.status, 401);
    assert.equal(ok.answer?.status, 200, "the owner, from a clean address, still registers");
    const metrics = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`);
    assert.match(await metrics.text(), /omnivox_sip_digest_throttled\{kind="source"\} 1/);
  });

  it("a challenged INVITE from the banned source gets 403, from another source 407", async () => {
    // The INVITE claims to be alice calling her own number: omnivox would challenge it (407).
    const call = { from: "alice", to: "+15550001" };
    const banned = await client("127.0.0.1");
    const refused = await banned.invite(server, { ...call, callId: newCallId() });
    assert.equal(refused.status, 403);
    const clean = await client("127.0.0.9");
    const challenged = await clean.invite(server, { ...call, callId: newCallId() });
    assert.equal(challenged.status, 407);
  });

  it("a foreign domain answers right and wrong passwords alike", async () => {
    const c = await client("127.0.0.3");
    const answers: number[] = [];
    for (const password of [aliceSip, "wrong-guess"]) {
      // A nonce from our realm, used for a REGISTER that names another domain.
      const challenge = await c.register(server, { user: "alice", callId: newCallId(), cseq: 1 });
      assert.equal(challenge.status, 401);
      const uri = "sip:elsewhere.example";
      const auth = answerChallenge(
        challenge,
        { username: "alice", password },
        {
          method: "REGISTER",
          uri,
        },
      );
      assert.ok(auth.ok);
      const res = await c.register(server, {
        user: "alice",
        domain: "elsewhere.example",
        callId: newCallId(),
        cseq: 1,
        contact: `sip:alice@${c.host}:${c.port}`,
        authorization: auth.value,
      });
      answers.push(res.status);
    }
    assert.equal(answers[0], answers[1], `right ${answers[0]}, wrong ${answers[1]}`);
    assert.equal(answers[0], 404);
  });

  it("a captured REGISTER replayed 5 times with other Contacts is refused after the first", async () => {
    const c = await client("127.0.0.4");
    const callId = newCallId();
    const first = await attempt(c, aliceSip, { callId, contact: `sip:alice@${c.host}:5999` });
    assert.equal(first.answer?.status, 200);
    for (let i = 0; i < 5; i++) {
      const replay = await c.register(server, {
        user: "alice",
        callId,
        cseq: 10 + i,
        contact: `sip:mallory-${i}@192.0.2.66:5060`,
        authorization: first.authorization!,
      });
      assert.equal(replay.status, 401, `replay ${i + 1}`);
      assert.match(replay.headers.get("www-authenticate") ?? "", /stale=true/);
      assert.notEqual(nonceOf(replay), nonceOf(first.challenge), "a fresh nonce");
    }
    // A fresh, honest query: the bindings are the first Contact and none of the replayed ones.
    const query = await c.register(server, { user: "alice", callId, cseq: 20 });
    const auth = answerChallenge(
      query,
      { username: "alice", password: aliceSip },
      { method: "REGISTER", uri: "sip:localhost" },
    );
    assert.ok(auth.ok);
    const listed = await c.register(server, {
      user: "alice",
      callId,
      cseq: 21,
      authorization: auth.value,
    });
    assert.equal(listed.status, 200);
    const contacts = listed.headers.getAll("contact").join(",");
    assert.match(contacts, /127\.0\.0\.4:5999/);
    assert.doesNotMatch(contacts, /mallory/);
  });

  it("credentials without qop are refused although the password is right", async () => {
    const c = await client("127.0.0.5");
    const challenge = await c.register(server, { user: "alice", callId: newCallId(), cseq: 1 });
    assert.equal(challenge.status, 401);
    assert.match(challenge.headers.get("www-authenticate") ?? "", /qop="auth"/);
    const nonce = nonceOf(challenge)!;
    const uri = "sip:localhost";
    const response = computeResponse({
      algorithm: "MD5",
      ha1: ha1For("MD5", "alice", "localhost", aliceSip),
      method: "REGISTER",
      uri,
      nonce,
    });
    // RFC 2069 form: no qop, nc or cnonce, so nothing would stop its replay.
    const authorization = `Digest username="alice", realm="localhost", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
    const res = await c.register(server, {
      user: "alice",
      callId: newCallId(),
      cseq: 2,
      contact: `sip:alice@${c.host}:${c.port}`,
      authorization,
    });
    assert.equal(res.status, 401);
  });

  it("the SIP secret registers, the web password does not; rotation ends the old secret", async () => {
    const c = await client("127.0.0.6");
    assert.equal((await attempt(c, "alice-web-password")).answer?.status, 401);
    assert.equal((await attempt(c, aliceSip)).answer?.status, 200);

    const rotated = await t.api("POST", "/users/alice/sip-secret");
    assert.equal(rotated.status, 200);
    const next = (rotated.body as { sipSecret: string }).sipSecret;
    assert.notEqual(next, aliceSip);
    assert.equal((await attempt(c, aliceSip)).answer?.status, 401, "the old secret");
    assert.equal((await attempt(c, next)).answer?.status, 200, "the new secret");
    aliceSip = next;
  });

  it("a real phone (baresip) registers with the SIP secret from another address during the ban", {
    skip: baresipBin.skip,
  }, async () => {
    // The attacker's address is still banned (the first ban lasts 1 min)…
    const attacker = await client("127.0.0.1");
    const banned = await attacker.register(server, { user: "alice", callId: newCallId(), cseq: 1 });
    assert.equal(banned.status, 403);
    // …while alice's desk phone, elsewhere, registers with her current SIP secret.
    phone = await startBaresip({
      binary: baresipBin.path!,
      listenHost: "127.0.0.7",
      account: {
        user: "alice",
        domain: "localhost",
        password: aliceSip,
        outbound: { host: "127.0.0.1", port: server.port },
        mwi: false,
      },
    });
    await phone.waitFor(/alice@localhost: \{0\/UDP\/v4\} 200 OK/, 15_000);
  });
});
