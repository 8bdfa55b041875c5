// The registration client against our own registrar on a real UDP endpoint: digest on the first
// REGISTER, a refresh before the granted expiry lapses, backoff after a refused password, and
// the binding removed (Expires: 0) on stop.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { until } from "../../../../test/support/until.ts";
import { DigestChallenger, DigestVerifier, NonceService } from "../auth/index.ts";
import { SipEndpoint } from "../endpoint.ts";
import type { SipRequest } from "../message/index.ts";
import { type BindingEventType, Registrar } from "../registrar/index.ts";
import { type RegisterModule, registerModule } from "./register.ts";
import { RegisterClient, type RegistrationState } from "./register-client.ts";

const AOR = "sip:acct@carrier.test";
let server: SipEndpoint;
let client: SipEndpoint;
let registrar: Registrar;
let module: RegisterModule;
let port = 0;
const seen: SipRequest[] = [];
const events: BindingEventType[] = [];

beforeEach(async () => {
  seen.length = 0;
  events.length = 0;
  server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  server.addModule({
    name: "spy",
    priority: 1,
    onRequest: (req) => {
      seen.push(req.message);
      return false;
    },
  });
  port = (await server.start()).udp?.port ?? 0;
  const nonces = new NonceService({ secret: "a test secret of enough bytes" });
  registrar = new Registrar({ aorOwner: (aor) => (aor === AOR ? "acct" : undefined) });
  registrar.onChange((e) => events.push(e.type));
  module = registerModule(server, {
    registrar,
    realm: "carrier.test",
    domain: "carrier.test",
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    algorithms: ["MD5"],
    lookup: async (username) => (username === "acct" ? { password: "s3cret" } : undefined),
    minExpires: 1,
    maxExpires: 2,
    sweepIntervalMs: 100,
  });
  client = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  await client.start();
});

afterEach(async () => {
  module.stop();
  await client.stop();
  await server.stop();
});

function registration(password: string, states: RegistrationState[] = []): RegisterClient {
  return new RegisterClient({
    endpoint: client,
    dest: { host: "127.0.0.1", port, transport: "udp" },
    registrarUri: "sip:carrier.test",
    aor: AOR,
    contact: `sip:127.0.0.1:${client.localAddress("udp")?.port}`,
    credentials: { username: "acct", password },
    expires: 600,
    retryMinMs: 50,
    retryMaxMs: 200,
    onState: (s) => states.push(s),
  });
}

test("registers with digest, refreshes before the granted expiry, unregisters on stop", async () => {
  const states: RegistrationState[] = [];
  const reg = registration("s3cret", states);
  reg.start();
  await until("registered", () => reg.state === "registered", 8000);
  assert.equal(registrar.bindings(AOR).length, 1);
  // The registrar grants at most 2 s of the 600 asked: the refresh comes before they lapse.
  assert.equal(reg.grantedExpires, 2);
  await until("a refresh", () => events.includes("refreshed"), 8000);
  assert.ok(!events.includes("expired"), events.join());
  // The refresh reused the nonce (no second challenge): credentials on the first try.
  const registers = seen.filter((m) => m.method === "REGISTER");
  assert.equal(registers[0]?.headers.has("authorization"), false);
  assert.equal(registers[1]?.headers.has("authorization"), true);
  const cseqs = registers.map((m) => Number.parseInt(m.headers.get("cseq") ?? "", 10));
  assert.deepEqual(
    cseqs,
    [...cseqs].sort((a, b) => a - b),
    "one Call-ID, rising CSeq",
  );
  assert.equal(new Set(registers.map((m) => m.headers.get("call-id"))).size, 1);
  await reg.stop();
  assert.equal(reg.state, "stopped");
  assert.equal(registrar.bindings(AOR).length, 0);
  assert.equal(seen.at(-1)?.headers.get("expires"), "0");
  assert.deepEqual(states.slice(0, 2), ["registering", "registered"]);
});

test("a refused password is tried again with growing backoff, never in a tight loop", async () => {
  const reg = registration("wrong");
  reg.start();
  await until("failed", () => reg.state === "failed", 8000);
  await new Promise((r) => setTimeout(r, 700));
  const attempts = seen.filter((m) => m.method === "REGISTER" && m.headers.has("authorization"));
  // 50, 100, 200, 200 … ms apart: a handful in 0.7 s, not hundreds.
  assert.ok(attempts.length >= 2 && attempts.length <= 8, `${attempts.length} attempts`);
  assert.equal(registrar.bindings(AOR).length, 0);
  await reg.stop();
  const after = seen.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seen.length, after, "nothing sent after stop");
});

test("a 423 Interval Too Brief is answered with the registrar's Min-Expires", async () => {
  module.stop();
  const nonces = new NonceService({ secret: "another test secret, long enough" });
  const strict = registerModule(server, {
    registrar,
    realm: "carrier.test",
    domain: "carrier.test",
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    algorithms: ["MD5"],
    lookup: async (username) => (username === "acct" ? { password: "s3cret" } : undefined),
    minExpires: 900,
    maxExpires: 3600,
  });
  module = strict;
  const reg = registration("s3cret");
  reg.start();
  await until("registered", () => reg.state === "registered", 8000);
  assert.equal(reg.grantedExpires, 900);
  const registers = seen.filter((m) => m.method === "REGISTER");
  assert.deepEqual(
    registers.map((m) => m.headers.get("expires")),
    ["600", "600", "900"],
  );
  await reg.stop();
});

test("a registrar that never answers does not hold up stop", async () => {
  const { createSocket } = await import("node:dgram");
  const silent = createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", r));
  let received = 0;
  silent.on("message", () => received++);
  // Default timers: Timer F is 32 s.
  const ua = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  await ua.start();
  const reg = new RegisterClient({
    endpoint: ua,
    dest: { host: "127.0.0.1", port: silent.address().port, transport: "udp" },
    registrarUri: "sip:carrier.test",
    aor: AOR,
    contact: `sip:127.0.0.1:${ua.localAddress("udp")?.port}`,
  });
  reg.start();
  await until("the REGISTER", () => received > 0, 8000);
  const started = Date.now();
  await reg.stop(300);
  // Well below Timer F (64·T1): stop gave up waiting for the answer.
  assert.ok(Date.now() - started < 5000, `stop took ${Date.now() - started} ms`);
  assert.equal(reg.state, "stopped");
  await ua.stop();
  await new Promise<void>((r) => silent.close(() => r()));
});
