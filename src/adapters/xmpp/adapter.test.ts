// The XMPP adapter against the scripted server (test/support/xmpp-fake-server.ts): XEP-0184 receipts
// settle deliveries, a lost stream retries them, replies carry their thread back, the voicemail
// indicator goes out as chat plus element and PEP publish, and iqs to us are answered.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import { until } from "../../../test/support/until.ts";
import { FakeComponentServer, type FakeSession } from "../../../test/support/xmpp-fake-server.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { VoicemailIndicator } from "../../core/mwi.ts";
import type { CommunicationDraft } from "../../core/ports.ts";
import { defaultProfile } from "../../core/profile.ts";
import type { TextRendition } from "../../core/rendition.ts";
import { child, childText, component, type XmlElement } from "../../protocols/xmpp/index.ts";
import { XmppAdapter } from "./adapter.ts";

const DOMAIN = "gw.test";
const ALICE = "alice@x.test";
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(opts: { receiptWaitMs?: number; receiptTimeoutMs?: number } = {}) {
  const sessions: FakeSession[] = [];
  const server = new FakeComponentServer({ secret: "s", onSession: (s) => sessions.push(s) });
  const port = await server.listen();
  const drafts: CommunicationDraft[] = [];
  const profile = {
    ...defaultProfile("alice"),
    imClients: [{ id: "phone", kind: "xmpp" as const, jid: ALICE }],
  };
  const adapter = new XmppAdapter({
    component: component({
      host: "127.0.0.1",
      port,
      domain: DOMAIN,
      secret: "s",
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    }),
    gateway: {
      receive: async (d) => {
        drafts.push(d);
        return { ...d, id: `c${drafts.length}`, thread: { threadId: "t" } } as Communication;
      },
    },
    listUsers: async () => [profile],
    logger: pino({ level: "silent" }),
    receiptWaitMs: opts.receiptWaitMs ?? 60_000,
    receiptTimeoutMs: opts.receiptTimeoutMs ?? 60_000,
  });
  await adapter.start();
  cleanups.push(async () => {
    await adapter.stop();
    await server.close();
  });
  await until("a session", () => sessions.length > 0);
  const session = () => sessions[sessions.length - 1]!;
  const stanza = async (match: (s: XmlElement) => boolean, what: string) => {
    await until(what, () => session().stanzas.some(match));
    return session().stanzas.find(match)!;
  };
  const write = (raw: string) => session().socket.write(raw);
  // alice's client is online: the adapter only sends to an available client of a user
  await stanza((s) => s.name === "presence" && s.attrs.type === "subscribe", "a subscribe");
  write(`<presence from='${ALICE}/phone' to='alice@${DOMAIN}'/>`);
  await until("alice available", () => adapter.isAvailable({ scheme: "xmpp", jid: ALICE }));
  return { adapter, server, sessions, session, stanza, write, drafts };
}

function comm(id: string): Communication {
  return {
    id,
    userId: "alice",
    kind: "email",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net" },
    to: { scheme: "mailto", email: "alice@example.com" },
    body: { text: "hi" },
    receivedAt: new Date(),
    thread: { threadId: id },
    nativeRefs: [],
    warnings: [],
  };
}

const rendition: TextRendition = {
  medium: "text",
  subject: "S",
  text: "T",
  from: "bob",
  notes: [],
};
const target = (deliveryId: string) => ({
  deliveryId,
  address: { scheme: "xmpp" as const, jid: ALICE },
  attempt: 1,
});
const sentTo = (id: string) => (s: XmlElement) => s.name === "message" && s.attrs.id === id;
const BOB = `bob\\40example.net@${DOMAIN}`;

test("a receipt settles the delivery; once a client acks, a missing receipt is retried", async () => {
  const t = await setup({ receiptTimeoutMs: 100 });
  const first = t.adapter.send(comm("c-1"), rendition, target("d-1"));
  const msg = await t.stanza(sentTo("d-1"), "the chat");
  assert.ok(child(msg, "request", "urn:xmpp:receipts"));
  assert.equal(childText(msg, "thread"), "c-1");
  // a receipt from someone else acknowledges nothing
  t.write(
    `<message from='eve@x.test/r' to='${BOB}'><received xmlns='urn:xmpp:receipts' id='d-1'/></message>`,
  );
  t.write(
    `<message from='${ALICE}/phone' to='${BOB}'><received xmlns='urn:xmpp:receipts' id='d-1'/></message>`,
  );
  assert.equal(await first, "d-1");
  assert.equal(t.adapter.receipts.acks(ALICE), true);
  await assert.rejects(t.adapter.send(comm("c-2"), rendition, target("d-2")), DeliveryError);
  // after a miss the client is no longer expected to ack
  assert.equal(t.adapter.receipts.acks(ALICE), false);
});

test("a client without receipts counts as delivered after the short wait", async () => {
  const t = await setup({ receiptWaitMs: 50 });
  assert.equal(await t.adapter.send(comm("c-3"), rendition, target("d-3")), "d-3");
});

test("a bounce holds the delivery; a lost stream retries the ones under way", async () => {
  const t = await setup();
  const bounced = t.adapter.send(comm("c-4"), rendition, target("d-4"));
  await t.stanza(sentTo("d-4"), "the chat");
  t.write(
    `<message type='error' id='d-4' from='${ALICE}' to='${BOB}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`,
  );
  await assert.rejects(bounced, TargetUnavailableError);
  assert.equal(t.adapter.isAvailable({ scheme: "xmpp", jid: ALICE }), false);
  t.write(`<presence from='${ALICE}/phone' to='alice@${DOMAIN}'/>`);
  await until("alice back", () => t.adapter.isAvailable({ scheme: "xmpp", jid: ALICE }));
  const lost = t.adapter.send(comm("c-5"), rendition, target("d-5"));
  await t.stanza(sentTo("d-5"), "the chat");
  t.session().socket.destroy();
  await assert.rejects(lost, (err) => err instanceof DeliveryError && !err.permanent);
  // the component reconnects and asks for presence again
  await until("a new session", () => t.sessions.length === 2);
});

test("a reply keeps its thread: <thread>, XEP-0461 <reply>, else the last chat to the client", async () => {
  const t = await setup({ receiptWaitMs: 10 });
  await t.adapter.send(comm("c-6"), rendition, target("d-6"));
  const reply = (id: string, extra: string) =>
    t.write(
      `<message type='chat' id='${id}' from='${ALICE}/phone' to='${BOB}'><body>ok</body>${extra}</message>`,
    );
  reply("r1", "<thread>c-6</thread>");
  reply("r2", "<thread>c-6</thread><reply xmlns='urn:xmpp:reply:0' id='d-6' to='x'/>");
  reply("r3", "");
  await until("three drafts", () => t.drafts.length === 3);
  const [a, b, c] = t.drafts.map((d) => d.replyTo);
  assert.deepEqual(a, [{ system: "omnivox", id: "c-6" }]);
  assert.deepEqual(b, [
    { system: "omnivox", id: "c-6" },
    { system: "im", id: "d-6" },
  ]);
  assert.deepEqual(c, [{ system: "omnivox", id: "c-6" }]);
  assert.deepEqual(t.drafts[0]?.to, { scheme: "mailto", email: "bob@example.net" });
  // a chat to someone we never sent anything names no thread
  t.write(
    `<message type='chat' id='r5' from='${ALICE}/phone' to='carol\\40e.net@${DOMAIN}'><body>new</body></message>`,
  );
  await until("four drafts", () => t.drafts.length === 4);
  assert.equal(t.drafts[3]?.replyTo, undefined);
});

const indicator: VoicemailIndicator = {
  client: { id: "phone", kind: "xmpp", jid: ALICE },
  userId: "alice",
  version: 7,
  total: { new: 2, old: 1, urgentNew: 1, urgentOld: 0 },
  systems: [
    {
      id: "home",
      kind: "internal",
      enabled: true,
      new: 2,
      old: 1,
      urgentNew: 1,
      urgentOld: 0,
      lastCaller: { ani: "+15550001", dnis: "+15550002", at: "2024-05-01T10:00:00.000Z" },
    },
    { id: "desk", kind: "sip", enabled: false, new: 4, old: 0, urgentNew: 0, urgentOld: 0 },
  ],
  lastCaller: {
    systemId: "home",
    ani: "+15550001",
    dnis: "+15550002",
    at: "2024-05-01T10:00:00.000Z",
  },
  supplemental: { timestamp: "2024-05-01T10:00:01.000Z", text: "Office closed Friday" },
};

test("the indicator: a chat line with <mwi>, published to PEP until the server refuses", async () => {
  const t = await setup({ receiptWaitMs: 10 });
  const sending = t.adapter.sendIndicator({ scheme: "xmpp", jid: ALICE }, indicator, "mwi-7");
  const msg = await t.stanza(sentTo("mwi-7"), "the indicator");
  assert.equal(msg.attrs.from, `alice@${DOMAIN}`);
  assert.match(childText(msg, "body") ?? "", /^Voicemail: 2 new, 1 old \(home 2\/1; desk off\)/);
  const mwi = child(msg, "mwi", "urn:omnivox:mwi:1");
  assert.ok(mwi);
  assert.equal(mwi.attrs.version, "7");
  assert.deepEqual(child(mwi, "client")?.attrs, { id: "phone", kind: "xmpp", jid: ALICE });
  assert.equal(child(mwi, "total")?.attrs["urgent-new"], "1");
  const systems = mwi.children.filter((c) => typeof c !== "string" && c.name === "system");
  assert.equal(systems.length, 2);
  assert.equal(childText(mwi, "supplemental"), "Office closed Friday");
  // the PEP publish to alice's own JID; the fake server plays Prosody without a grant
  const iq = await t.stanza((s) => s.name === "iq" && s.attrs.type === "set", "the publish");
  assert.equal(iq.attrs.to, ALICE);
  const publish = child(child(iq, "pubsub", "http://jabber.org/protocol/pubsub")!, "publish");
  assert.equal(publish?.attrs.node, "urn:omnivox:mwi:1");
  assert.equal(child(child(publish!, "item")!, "mwi")?.attrs.version, "7");
  t.write(
    `<iq type='error' id='${iq.attrs.id}' from='${ALICE}' to='${DOMAIN}'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
  );
  await sending;
  await t.adapter.sendIndicator(
    { scheme: "xmpp", jid: ALICE },
    { ...indicator, version: 8 },
    "mwi-8",
  );
  const iqs = t.session().stanzas.filter((s) => s.name === "iq");
  assert.equal(iqs.length, 1, "a refused client is not asked again on the next change");
  t.write(`<presence type='unavailable' from='${ALICE}/phone' to='alice@${DOMAIN}'/>`);
  await until("alice away", () => !t.adapter.isAvailable({ scheme: "xmpp", jid: ALICE }));
  await assert.rejects(
    t.adapter.sendIndicator({ scheme: "xmpp", jid: ALICE }, indicator, "mwi-9"),
    TargetUnavailableError,
  );
});

test("iqs to the component: disco#info and ping answered, anything else service-unavailable", async () => {
  const t = await setup();
  t.write(
    `<iq type='get' id='q1' from='${ALICE}/phone' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
  );
  t.write(
    `<iq type='get' id='q2' from='${ALICE}/phone' to='${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`,
  );
  t.write(
    `<iq type='set' id='q3' from='${ALICE}/phone' to='${BOB}'><query xmlns='jabber:iq:version'/></iq>`,
  );
  const answer = (id: string) =>
    t.stanza((s) => s.name === "iq" && s.attrs.id === id, `the answer to ${id}`);
  const disco = await answer("q1");
  assert.equal(disco.attrs.type, "result");
  const features = child(disco, "query")!.children.map((c) =>
    typeof c === "string" ? "" : c.attrs.var,
  );
  assert.ok(features.includes("urn:xmpp:receipts") && features.includes("urn:omnivox:mwi:1"));
  assert.equal((await answer("q2")).attrs.type, "result");
  const refused = await answer("q3");
  assert.equal(refused.attrs.type, "error");
  assert.equal(refused.attrs.from, BOB);
  assert.ok(child(child(refused, "error")!, "service-unavailable"));
});

test("a stanza over the limit is bounced with policy-violation; the stream stays up", async () => {
  const t = await setup();
  t.write(
    `<message type='chat' id='huge' from='${ALICE}/phone' to='${BOB}'><body>${"h".repeat(300_000)}</body></message>`,
  );
  t.write(
    `<message type='chat' id='after' from='${ALICE}/phone' to='${BOB}'><body>small</body></message>`,
  );
  const bounce = await t.stanza((s) => s.attrs.id === "huge", "the bounce");
  assert.equal(bounce.attrs.type, "error");
  assert.equal(bounce.attrs.to, `${ALICE}/phone`);
  assert.ok(child(child(bounce, "error")!, "policy-violation"));
  await until("the next chat", () => t.drafts.length === 1);
  assert.deepEqual(t.drafts[0]?.body, { text: "small" });
  assert.equal(t.sessions.length, 1, "no reconnect");
});
