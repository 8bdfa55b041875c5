// checkCaller on real UDP endpoints: a phone sends INVITEs claiming or not claiming to be the
// called user, with and without credentials, from a trusted proxy address or not.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DigestChallenger, DigestClient, DigestVerifier, NonceService } from "../auth/index.ts";
import { createRequest, type Destination, newCallId, newTag, SipEndpoint } from "../endpoint.ts";
import type { SipResponse } from "../message/index.ts";
import { type CallerCheck, checkCaller, isTrustedSource } from "./caller-identity.ts";

const REALM = "omnivox.test";
const PASSWORDS: Record<string, string> = { alice: "wonderland", bob: "builder" };
const NUMBERS: Record<string, string[]> = { alice: ["+15550001"], bob: ["+15550002"] };

let server: SipEndpoint;
let phone: SipEndpoint;
let dest: Destination;
let trusted = false;
const results: CallerCheck[] = [];

before(async () => {
  server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  const port = (await server.start()).udp?.port ?? 0;
  dest = { host: "127.0.0.1", port, transport: "udp" };
  const nonces = new NonceService({ secret: "a test secret of enough bytes" });
  server.onRequest(
    async (req) => {
      const called = /^sip:([^@]+)@/.exec(req.message.uri)?.[1] ?? "";
      const result = await checkCaller(req, called, {
        trusted,
        names: async (user, id) => user === id || (NUMBERS[id] ?? []).includes(user),
        gate: {
          realm: REALM,
          verifier: new DigestVerifier(nonces),
          challenger: new DigestChallenger(nonces),
          lookup: async (username) => {
            const password = PASSWORDS[username];
            return password === undefined ? undefined : { password };
          },
          algorithms: ["MD5"],
        },
      });
      results.push(result);
      // The result goes back in a final response the test can read.
      if (result !== "answered")
        req.transaction.respond(480, `Checked ${result}`, { toTag: newTag() });
    },
    { methods: ["INVITE"] },
  );
  phone = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  await phone.start();
});

after(async () => {
  await phone.stop();
  await server.stop();
});

function invite(from: string, to: string, headers: Array<[string, string]> = []) {
  return createRequest({
    method: "INVITE",
    uri: `sip:${to}@${REALM}`,
    from: { uri: `sip:${from}@${REALM}`, tag: newTag() },
    to: { uri: `sip:${to}@${REALM}` },
    callId: newCallId("phone.test"),
    cseq: 1,
    contact: `sip:${from}@127.0.0.1:${phone.localAddress("udp")?.port ?? 0}`,
    headers,
  });
}

/** Sends the INVITE; on a 407 answers it once with `creds` (when given). */
async function call(
  from: string,
  to: string,
  creds?: { username: string; password: string },
  headers: Array<[string, string]> = [],
): Promise<{ first: SipResponse; final: SipResponse }> {
  const first = await phone.sendRequest(invite(from, to, headers), dest);
  if (first.status !== 407 || !creds) return { first, final: first };
  const retry = invite(from, to, headers);
  const answer = new DigestClient().answerChallenge(first, creds, {
    method: "INVITE",
    uri: retry.uri,
  });
  assert.ok(answer.ok, "the challenge can be answered");
  assert.equal(answer.header, "Proxy-Authorization");
  retry.headers.add(answer.header, answer.value);
  return { first, final: await phone.sendRequest(retry, dest) };
}

test("a call from someone else is not challenged and is not the owner", async () => {
  trusted = false;
  const { first } = await call("bob", "alice");
  assert.equal(first.status, 480);
  assert.equal(first.reason, "Checked other");
});

test("a call claiming the owner is challenged with 407, qop=auth", async () => {
  trusted = false;
  const { first } = await call("alice", "alice");
  assert.equal(first.status, 407);
  const challenge = first.headers.get("proxy-authenticate") ?? "";
  assert.match(challenge, /^Digest /);
  assert.match(challenge, /qop="auth"/);
  assert.match(challenge, /realm="omnivox\.test"/);
  assert.equal(results.at(-1), "answered");
});

test("claiming one of the owner's numbers is challenged the same way", async () => {
  const { first } = await call("+15550001", "alice");
  assert.equal(first.status, 407);
});

test("the owner's credentials make the owner; another user's do not", async () => {
  const own = await call("alice", "alice", { username: "alice", password: "wonderland" });
  assert.equal(own.first.status, 407);
  assert.equal(own.final.reason, "Checked owner");
  const bobs = await call("alice", "alice", { username: "bob", password: "builder" });
  assert.equal(bobs.final.reason, "Checked other");
});

test("a wrong password is challenged again, never the owner", async () => {
  const { final } = await call("alice", "alice", { username: "alice", password: "guess" });
  assert.equal(final.status, 407);
  assert.equal(results.at(-1), "answered");
});

test("P-Asserted-Identity counts only from a trusted proxy", async () => {
  trusted = false;
  // An untrusted caller asserting alice while From says bob: the assertion is ignored.
  const spoof = await call("bob", "alice", undefined, [
    ["P-Asserted-Identity", `<sip:alice@${REALM}>`],
  ]);
  assert.equal(spoof.first.reason, "Checked other");
  trusted = true;
  const asserted = await call("anonymous", "alice", undefined, [
    ["P-Asserted-Identity", "<tel:+15550001>"],
  ]);
  assert.equal(asserted.first.reason, "Checked owner");
  // A trusted proxy asserting bob: From claiming alice does not matter, and no challenge.
  const other = await call("alice", "alice", undefined, [
    ["P-Asserted-Identity", `"Bob" <sip:bob@${REALM}>`],
  ]);
  assert.equal(other.first.reason, "Checked other");
  trusted = false;
});

test("isTrustedSource: exact addresses only, IPv4-mapped IPv6 folded", () => {
  assert.equal(isTrustedSource("192.0.2.10", ["192.0.2.10"]), true);
  assert.equal(isTrustedSource("::ffff:192.0.2.10", ["192.0.2.10"]), true);
  assert.equal(isTrustedSource("2001:db8::1", ["[2001:DB8::1]"]), true);
  assert.equal(isTrustedSource("192.0.2.11", ["192.0.2.10"]), false);
  assert.equal(isTrustedSource("192.0.2.10", []), false);
  assert.equal(isTrustedSource("proxy.example.com", ["proxy.example.com"]), false);
});
