// The message-summary notifier on a real UDP endpoint against a test phone: digest, 200 and the
// immediate NOTIFY, change NOTIFYs (coalesced), refresh, unsubscribe, expiry, lost subscribers,
// refusals (489, 403, 404, 400, 423), fetches and unsolicited NOTIFYs to registered phones.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { TestPhone } from "../../../../../test/support/sip-test-phone.ts";
import type { MessageSummary } from "../../../mwi/index.ts";
import { DigestChallenger, DigestVerifier, NonceService } from "../../auth/index.ts";
import { DialogRegistry } from "../../dialog/registry.ts";
import { createRequest, newCallId, newTag, SipEndpoint } from "../../endpoint.ts";
import { Registrar } from "../../registrar/index.ts";
import { type RegisterModule, registerModule } from "../register.ts";
import { type MwiNotifier, type MwiNotifierOptions, mwiNotifier } from "./notifier.ts";

const DOMAIN = "omnivox.test";
const USERS: Record<string, string> = { alice: "wonderland", bob: "builder" };

let server: SipEndpoint;
let dialogs: DialogRegistry;
let notifier: MwiNotifier;
let registrar: Registrar;
let registrarModule: RegisterModule | undefined;
let phone: TestPhone;
let port: number;
const counts = new Map<string, number>();
let summaryCalls = 0;
let failSummary = false;

const nonces = new NonceService({ secret: "another test secret, long enough" });

function startNotifier(extra: Partial<MwiNotifierOptions> = {}): void {
  notifier = mwiNotifier(server, dialogs, {
    realm: DOMAIN,
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    lookup: async (username) => {
      const password = USERS[username];
      return password === undefined ? undefined : { password };
    },
    userOf: (username) => `u-${username}`,
    aorOwner: (user) => (user in USERS ? `u-${user}` : undefined),
    summaryFor: async (userId): Promise<MessageSummary> => {
      summaryCalls++;
      if (failSummary) throw new Error("store down");
      const n = counts.get(userId) ?? 0;
      return { waiting: n > 0, classes: { voice: { new: n, old: 2 } } };
    },
    localContact: `sip:mwi@127.0.0.1:${port}`,
    minExpires: 1,
    maxExpires: 600,
    coalesceMs: 10,
    ...extra,
  });
}

beforeEach(async () => {
  counts.clear();
  summaryCalls = 0;
  failSummary = false;
  server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  port = (await server.start()).udp?.port ?? 0;
  dialogs = new DialogRegistry(server);
  registrar = new Registrar({ aorOwner: (aor) => `u-${aor.slice(4, aor.indexOf("@"))}` });
  startNotifier();
  phone = new TestPhone(
    "alice",
    "wonderland",
    { host: "127.0.0.1", port, transport: "udp" },
    DOMAIN,
  );
  await phone.start();
});

afterEach(async () => {
  notifier.stop();
  registrarModule?.stop();
  registrarModule = undefined;
  await phone.stop();
  await server.stop();
});

const header = (m: { headers: { get(n: string): string | undefined } }, name: string) =>
  m.headers.get(name) ?? "";

test("SUBSCRIBE is challenged, then answered 200 and followed at once by a NOTIFY", async () => {
  const sub = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "300"],
    ["Accept", "application/simple-message-summary"],
  ]);
  assert.equal(sub.first.status, 401);
  assert.equal(sub.final.status, 200);
  assert.equal(header(sub.final, "expires"), "300");
  assert.equal(header(sub.final, "contact"), `<sip:mwi@127.0.0.1:${port}>`);
  const [notify] = await phone.waitNotifies(1);
  assert.ok(notify);
  assert.equal(header(notify, "event"), "message-summary");
  assert.match(header(notify, "subscription-state"), /^active;expires=(300|299)$/);
  assert.equal(header(notify, "content-type"), "application/simple-message-summary");
  assert.equal(notify.body.toString(), "Messages-Waiting: no\r\nVoice-Message: 0/2\r\n");
  assert.equal(header(notify, "call-id"), header(sub.request, "call-id"));
  assert.match(header(notify, "to"), new RegExp(`tag=${sub.dialog?.state.localTag}`));
  assert.equal(notifier.subscriptions("u-alice").length, 1);
});

test("notifyChanged sends the new counts, one NOTIFY for a burst of changes", async () => {
  await phone.subscribe();
  await phone.waitNotifies(1);
  const before = summaryCalls;
  counts.set("u-alice", 1);
  await Promise.all([
    notifier.notifyChanged("u-alice"),
    notifier.notifyChanged("u-alice"),
    notifier.notifyChanged("u-alice"),
  ]);
  const notifies = await phone.waitNotifies(2);
  assert.equal(notifies[1]?.body.toString(), "Messages-Waiting: yes\r\nVoice-Message: 1/2\r\n");
  assert.equal(summaryCalls - before, 1, "the burst read the summary once");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(phone.notifies.length, 2, "and sent one NOTIFY");
  await notifier.notifyChanged("u-bob"); // nobody subscribed: nothing to send, no error
  assert.equal(phone.notifies.length, 2);
});

test("an unsubscribe ends the subscription with a terminated NOTIFY", async () => {
  const sub = await phone.subscribe();
  await phone.waitNotifies(1);
  assert.ok(sub.dialog);
  const un = await phone.resubscribe(sub.dialog, 0);
  assert.equal(un.final.status, 200);
  assert.equal(header(un.final, "expires"), "0");
  const notifies = await phone.waitNotifies(2);
  assert.equal(header(notifies[1]!, "subscription-state"), "terminated;reason=timeout");
  assert.equal(notifier.subscriptions().length, 0);
  const again = await phone.resubscribe(sub.dialog, 60);
  assert.equal(again.final.status, 481, "the dialog is gone");
});

test("a refresh extends the subscription and brings a NOTIFY", async () => {
  const sub = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "60"],
  ]);
  await phone.waitNotifies(1);
  assert.ok(sub.dialog);
  const before = notifier.subscriptions()[0]?.expiresAt ?? 0;
  const refresh = await phone.resubscribe(sub.dialog, 600);
  assert.equal(refresh.final.status, 200);
  assert.equal(header(refresh.final, "expires"), "600");
  const notifies = await phone.waitNotifies(2);
  assert.match(header(notifies[1]!, "subscription-state"), /^active;expires=(600|599)$/);
  assert.ok((notifier.subscriptions()[0]?.expiresAt ?? 0) > before + 500_000);
});

test("a subscription that is not refreshed ends with a terminated NOTIFY", async () => {
  await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "1"],
  ]);
  const notifies = await phone.waitNotifies(2, 3000);
  assert.equal(header(notifies[1]!, "subscription-state"), "terminated;reason=timeout");
  assert.equal(notifies[1]?.body.toString(), "Messages-Waiting: no\r\nVoice-Message: 0/2\r\n");
  assert.equal(notifier.subscriptions().length, 0);
});

test("a NOTIFY answered 481 ends the subscription", async () => {
  await phone.subscribe();
  await phone.waitNotifies(1);
  phone.notifyStatus = 481;
  counts.set("u-alice", 3);
  await notifier.notifyChanged("u-alice");
  assert.equal(notifier.subscriptions().length, 0);
  await notifier.notifyChanged("u-alice");
  assert.equal(phone.notifies.length, 2, "no NOTIFY after the subscription ended");
});

test("a subscriber that is gone (no answer) loses its subscription", async () => {
  await phone.subscribe();
  await phone.waitNotifies(1);
  await phone.stop(); // the NOTIFY now times out after 64·T1
  await notifier.notifyChanged("u-alice");
  assert.equal(notifier.subscriptions().length, 0);
  await phone.start();
});

test("another event package gets 489 with Allow-Events, before any challenge", async () => {
  for (const event of ["presence", "", "message-summaryx"]) {
    const res = await phone.subscribe(event ? [["Event", event]] : []);
    assert.equal(res.first.status, 489, event);
    assert.equal(header(res.first, "allow-events"), "message-summary");
  }
});

test("a wrong password is challenged again and subscribes nothing", async () => {
  phone.password = "looking glass";
  const res = await phone.subscribe();
  assert.equal(res.first.status, 401);
  assert.equal(res.final.status, 401);
  assert.equal(notifier.subscriptions().length, 0);
  assert.equal(phone.notifies.length, 0);
});

test("a very long Expires is granted as maxExpires", async () => {
  const res = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "99999999999"],
  ]);
  assert.equal(res.final.status, 200);
  assert.equal(header(res.final, "expires"), "600");
});

test("someone else's mailbox gets 403, an unknown one 404", async () => {
  const bob = await phone.subscribe(undefined, "bob");
  assert.equal(bob.first.status, 401);
  assert.equal(bob.final.status, 403);
  const carol = await phone.subscribe(undefined, "carol");
  assert.equal(carol.final.status, 404);
  assert.equal(notifier.subscriptions().length, 0);
  assert.equal(phone.notifies.length, 0);
});

test("malformed or too brief Expires, a bad Accept and a missing Contact are refused", async () => {
  for (const value of ["soon", "-1", "1.5", "0x10", "60, 70", ""]) {
    const res = await phone.subscribe([
      ["Event", "message-summary"],
      ["Expires", value],
    ]);
    assert.equal(res.first.status, 400, `Expires: ${value}`);
  }
  notifier.stop();
  startNotifier({ minExpires: 60 });
  const brief = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "30"],
  ]);
  assert.equal(brief.first.status, 423);
  assert.equal(header(brief.first, "min-expires"), "60");
  const accept = await phone.subscribe([
    ["Event", "message-summary"],
    ["Accept", "application/pidf+xml"],
  ]);
  assert.equal(accept.first.status, 406);
  const noContact = await phone.withAuth(() =>
    createRequest({
      method: "SUBSCRIBE",
      uri: `sip:alice@${DOMAIN}`,
      from: { uri: `sip:alice@${DOMAIN}`, tag: newTag() },
      to: { uri: `sip:alice@${DOMAIN}` },
      callId: newCallId("x"),
      cseq: 1,
      headers: [["Event", "message-summary"]],
    }),
  );
  assert.equal(noContact.first.status, 400);
  assert.match(noContact.first.reason, /Contact/);
  assert.equal(notifier.subscriptions().length, 0);
});

test("Expires: 0 on a new subscription fetches the state once", async () => {
  counts.set("u-alice", 4);
  const res = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "0"],
  ]);
  assert.equal(res.final.status, 200);
  const [notify] = await phone.waitNotifies(1);
  assert.equal(header(notify!, "subscription-state"), "terminated;reason=timeout");
  assert.match(notify?.body.toString() ?? "", /Voice-Message: 4\/2/);
  assert.equal(notifier.subscriptions().length, 0);
});

test("a failing summary store answers 500 and creates nothing", async () => {
  failSummary = true;
  const res = await phone.subscribe();
  assert.equal(res.final.status, 500);
  assert.equal(notifier.subscriptions().length, 0);
});

test("unsolicited NOTIFYs reach registered phones that do not subscribe", async () => {
  notifier.stop();
  startNotifier({ unsolicited: { registrar } });
  registrarModule = registerModule(server, {
    registrar,
    realm: DOMAIN,
    domain: DOMAIN,
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    lookup: async (username) => ({ password: USERS[username] ?? "" }),
    userOf: (username) => `u-${username}`,
  });
  const reg = await phone.register();
  assert.equal(reg.final.status, 200);
  // The NOTIFY for a phone that has just registered comes about a second later.
  const [first] = await phone.waitNotifies(1, 3000);
  assert.equal(header(first!, "subscription-state"), "active");
  assert.equal(header(first!, "event"), "message-summary");
  assert.equal(first?.uri, phone.contact);
  assert.doesNotMatch(header(first!, "to"), /tag=/, "out of any dialog");
  counts.set("u-alice", 2);
  await notifier.notifyChanged("u-alice");
  const notifies = await phone.waitNotifies(2);
  assert.match(notifies[1]?.body.toString() ?? "", /Messages-Waiting: yes/);
});

test("a record-routed SUBSCRIBE: the 200 carries its Record-Route, NOTIFYs follow the route set", async () => {
  const phonePort = phone.endpoint.localAddress("udp")?.port ?? 0;
  // The top entry is the proxy next to the notifier: here the phone itself, so NOTIFYs arrive.
  const rr = [`<sip:127.0.0.1:${phonePort};lr;near=notifier>`, "<sip:edge.invalid;lr>"];
  const sub = await phone.subscribe([
    ["Event", "message-summary"],
    ["Expires", "300"],
    ...rr.map((r): [string, string] => ["Record-Route", r]),
  ]);
  assert.equal(sub.final.status, 200);
  assert.deepEqual(sub.final.headers.getAll("record-route"), rr, "RFC 6665 §4.2.1, in order");
  assert.deepEqual(sub.dialog?.state.routeSet, [...rr].reverse());
  const [notify] = await phone.waitNotifies(1);
  assert.deepEqual(notify?.headers.getAll("route"), rr);
  assert.equal(notify?.uri, phone.contact, "loose routing keeps the Contact as Request-URI");
});

test("an unsolicited NOTIFY to a phone registered with Path goes through the Path", async () => {
  notifier.stop();
  startNotifier({ unsolicited: { registrar } });
  registrarModule = registerModule(server, {
    registrar,
    realm: DOMAIN,
    domain: DOMAIN,
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    lookup: async (username) => ({ password: USERS[username] ?? "" }),
    userOf: (username) => `u-${username}`,
  });
  // `behind` registers through a proxy; `phone` plays the proxy its Path names.
  const behind = new TestPhone("alice", "wonderland", phone.server, DOMAIN);
  await behind.start();
  try {
    const edge = `<sip:127.0.0.1:${phone.endpoint.localAddress("udp")?.port};lr>`;
    const reg = await behind.register([
      ["Path", edge],
      ["Supported", "path"],
    ]);
    assert.equal(reg.final.status, 200);
    assert.deepEqual(reg.final.headers.getAll("path"), [edge], "RFC 3327 §5.3");
    const [notify] = await phone.waitNotifies(1, 3000);
    assert.equal(notify?.uri, behind.contact);
    assert.deepEqual(notify?.headers.getAll("route"), [edge]);
    assert.equal(behind.notifies.length, 0, "not sent around the proxy");
  } finally {
    await behind.stop();
  }
});
