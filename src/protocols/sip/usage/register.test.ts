// The registrar module on a real UDP endpoint, driven by a phone that answers challenges with
// DigestClient: 401 then 200, wrong password, 423, stale nonces, store failure, bad credentials.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { TestPhone } from "../../../../test/support/sip-test-phone.ts";
import { DigestChallenger, DigestClient, DigestVerifier, NonceService } from "../auth/index.ts";
import { createRequest, newCallId, newTag, SipEndpoint } from "../endpoint.ts";
import { Registrar } from "../registrar/index.ts";
import { type RegisterModule, registerModule } from "./register.ts";

const DOMAIN = "omnivox.test";
const REALM = "omnivox.test";
const USERS: Record<string, string> = { alice: "wonderland", bob: "builder" };

let server: SipEndpoint;
let registrar: Registrar;
let module: RegisterModule;
let phone: TestPhone;
let clock: number;
let failLookup = false;

beforeEach(async () => {
  clock = Date.now();
  failLookup = false;
  server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  const port = (await server.start()).udp?.port ?? 0;
  const nonces = new NonceService({ secret: "a test secret of enough bytes", now: () => clock });
  registrar = new Registrar({
    aorOwner: (aor) =>
      ({ "sip:alice@omnivox.test": "u-alice", "sip:bob@omnivox.test": "u-bob" })[aor],
  });
  module = registerModule(server, {
    registrar,
    realm: REALM,
    domain: DOMAIN,
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    lookup: async (username) => {
      if (failLookup) throw new Error("store down");
      const password = USERS[username];
      return password === undefined ? undefined : { password };
    },
    userOf: (username) => (username in USERS ? `u-${username}` : undefined),
    minExpires: 60,
    maxExpires: 600,
    sweepIntervalMs: 20,
  });
  phone = new TestPhone(
    "alice",
    "wonderland",
    { host: "127.0.0.1", port, transport: "udp" },
    DOMAIN,
  );
  await phone.start();
});

afterEach(async () => {
  module.stop();
  await phone.stop();
  await server.stop();
});

test("challenges a REGISTER with 401, then binds the contact on the answer", async () => {
  const { first, final } = await phone.register([["Expires", "300"]]);
  assert.equal(first.status, 401);
  const challenges = first.headers.getAll("www-authenticate");
  assert.equal(challenges.length, 2, "SHA-256 and MD5");
  assert.match(challenges[0] ?? "", /algorithm=SHA-256/);
  assert.doesNotMatch(challenges[0] ?? "", /stale/);
  assert.equal(final.status, 200);
  assert.equal(final.headers.get("contact"), `<${phone.contact}>;expires=300`);
  const [binding] = registrar.bindings(`sip:alice@${DOMAIN}`);
  assert.equal(binding?.userId, "u-alice");
  assert.equal(binding?.contact, phone.contact);
  const port = phone.endpoint.localAddress("udp")?.port;
  assert.deepEqual(binding?.source, {
    host: "127.0.0.1",
    port,
    transport: "UDP",
    // The phone's own Via: the flow reaches the phone that registered.
    sentBy: `127.0.0.1:${port}`,
  });
});

test("a wrong password gets 401 again and binds nothing", async () => {
  phone.password = "rabbit hole";
  const { first, final } = await phone.register();
  assert.equal(first.status, 401);
  assert.equal(final.status, 401);
  assert.equal(registrar.bindings(`sip:alice@${DOMAIN}`).length, 0);
});

test("a too-brief interval gets 423 with Min-Expires", async () => {
  const { final } = await phone.register([["Expires", "10"]]);
  assert.equal(final.status, 423);
  assert.equal(final.headers.get("min-expires"), "60");
});

test("alice may not register bob's address-of-record", async () => {
  const { final } = await phone.register([], "bob");
  assert.equal(final.status, 403);
  assert.equal(registrar.bindings(`sip:bob@${DOMAIN}`).length, 0);
});

test("a user store failure answers 500, not 401", async () => {
  failLookup = true;
  const { final } = await phone.register();
  assert.equal(final.status, 500);
});

test("credentials on an expired nonce get a challenge with stale=true", async () => {
  const { first } = await phone.register();
  assert.equal(first.status, 401);
  clock += 10 * 60_000; // the nonce of that challenge is now past its lifetime
  const answer = new DigestClient().answerChallenge(
    first,
    { username: "alice", password: "wonderland" },
    { method: "REGISTER", uri: `sip:${DOMAIN}` },
  );
  assert.ok(answer.ok);
  const req = createRequest({
    method: "REGISTER",
    uri: `sip:${DOMAIN}`,
    from: { uri: `sip:alice@${DOMAIN}`, tag: newTag() },
    to: { uri: `sip:alice@${DOMAIN}` },
    callId: newCallId("x"),
    cseq: 1,
    headers: [[answer.header, answer.value]],
  });
  const res = await phone.endpoint.sendRequest(req, phone.server);
  assert.equal(res.status, 401);
  assert.match(res.headers.get("www-authenticate") ?? "", /stale=true/);
});

test("garbage in Authorization is answered with a plain challenge", async () => {
  for (const value of [
    "Digest",
    "Basic YWxpY2U6eA==",
    'Digest username="alice", realm=',
    "\u00ff",
  ]) {
    const req = createRequest({
      method: "REGISTER",
      uri: `sip:${DOMAIN}`,
      from: { uri: `sip:alice@${DOMAIN}`, tag: newTag() },
      to: { uri: `sip:alice@${DOMAIN}` },
      callId: newCallId("x"),
      cseq: 1,
      headers: [["Authorization", value]],
    });
    const res = await phone.endpoint.sendRequest(req, phone.server);
    assert.equal(res.status, 401, value);
  }
  assert.equal(registrar.aors().length, 0);
});

test("lapsed bindings are swept by the module's timer", async () => {
  const r = new Registrar({ aorOwner: () => "alice", now: () => clock });
  const events: string[] = [];
  r.onChange((e) => events.push(e.type));
  module.stop();
  module = registerModule(server, {
    registrar: r,
    realm: REALM,
    domain: DOMAIN,
    verifier: new DigestVerifier(new NonceService({ secret: "a test secret of enough bytes" })),
    challenger: new DigestChallenger(new NonceService({ secret: "a test secret of enough bytes" })),
    lookup: async () => ({ password: "wonderland" }),
    sweepIntervalMs: 10,
  });
  const { final } = await phone.register([["Expires", "60"]]);
  assert.equal(final.status, 200);
  clock += 61_000;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(events, ["added", "expired"]);
});
