// The XMPP adapter against a real Prosody 0.12 (mod_pep on) and python3-slixmpp clients that answer
// XEP-0184 receipts: a receipt settles a delivery; the voicemail indicator arrives as a chat line
// with <mwi xmlns="urn:omnivox:mwi:1">, and as a PEP item once the user made our component a
// publisher of her node; without that grant Prosody refuses the publish and the chat still works.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { XmppAdapter } from "../../src/adapters/xmpp/adapter.ts";
import { MWI_NODE } from "../../src/adapters/xmpp/mwi.ts";
import type { Communication } from "../../src/core/communication.ts";
import type { VoicemailIndicator } from "../../src/core/mwi.ts";
import { defaultProfile, type Profile } from "../../src/core/profile.ts";
import { component } from "../../src/protocols/xmpp/index.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { until } from "../support/until.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? python.skip;

let prosody: Prosody;
let clients: SlixmppClient;
let adapter: XmppAdapter;
let alice: string;
let carol: string;

function profile(id: string, jid: string): Profile {
  return { ...defaultProfile(id), imClients: [{ id: "chat", kind: "xmpp", jid }] };
}

function indicator(userId: string, jid: string, version: number): VoicemailIndicator {
  return {
    client: { id: "chat", kind: "xmpp", jid },
    userId,
    version,
    total: { new: version, old: 0, urgentNew: 0, urgentOld: 0 },
    systems: [
      {
        id: "internal",
        kind: "internal",
        enabled: true,
        new: version,
        old: 0,
        urgentNew: 0,
        urgentOld: 0,
      },
    ],
    lastCaller: { systemId: "internal", ani: "+15550100", at: new Date(0).toISOString() },
  };
}

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [
      { user: "alice", password: "alice-pw" },
      { user: "carol", password: "carol-pw" },
    ],
  });
  alice = `alice@${prosody.domain}`;
  carol = `carol@${prosody.domain}`;
  clients = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: alice,
    password: "alice-pw",
    more: [{ jid: carol, password: "carol-pw" }],
    receipts: true,
    port: prosody.c2sPort,
  });
  await clients.autoApprove(true);
  await clients.command({ cmd: "auto_approve", value: true, account: carol });
  adapter = new XmppAdapter({
    component: component({
      host: "127.0.0.1",
      port: prosody.componentPort,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
    }),
    gateway: { receive: async () => assert.fail("no chat is sent to the gateway here") },
    listUsers: async () => [profile("alice", alice), profile("carol", carol)],
    logger: pino({ level: process.env.OMNIVOX_TEST_LOG ?? "silent" }),
    // only a receipt settles a delivery within the test's time
    receiptWaitMs: 120_000,
  });
  await adapter.start();
  await until(
    "both clients available",
    () =>
      adapter.isAvailable({ scheme: "xmpp", jid: alice }) &&
      adapter.isAvailable({ scheme: "xmpp", jid: carol }),
    10_000,
  );
});

after(async () => {
  await clients?.quit();
  await adapter?.stop();
  await prosody?.stop();
});

test("slixmpp's XEP-0184 receipt settles the delivery", { skip }, async () => {
  const c = {
    id: "comm-1",
    userId: "alice",
    kind: "email",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net" },
    to: { scheme: "mailto", email: "alice@example.com" },
    body: { text: "hi" },
    receivedAt: new Date(),
    thread: { threadId: "comm-1" },
    nativeRefs: [],
    warnings: [],
  } satisfies Communication;
  const id = await adapter.send(
    c,
    { medium: "text", subject: "Receipt", text: "Please ack", from: "bob", notes: [] },
    { deliveryId: "delivery-1", address: { scheme: "xmpp", jid: alice }, attempt: 1 },
  );
  assert.equal(id, "delivery-1");
  assert.equal(adapter.receipts.acks(alice), true);
  // the receipt may overtake the client's report of the message on its way to the test
  const got = await clients.waitFor((e) => e.event === "message" && e.id === "delivery-1");
  assert.equal(got?.thread, "comm-1");
});

test("the indicator reaches the client as chat with <mwi>, and as a PEP item once granted", {
  skip,
}, async () => {
  await clients.pepGrant(MWI_NODE, prosody.componentDomain);
  await adapter.sendIndicator(
    { scheme: "xmpp", jid: alice },
    indicator("alice", alice, 3),
    "mwi-a-3",
  );
  const chat = await clients.waitFor((e) => e.event === "message" && e.id === "mwi-a-3");
  assert.equal(chat.account, alice);
  assert.match(
    chat.body ?? "",
    /^Voicemail: 3 new, 0 old \(internal 3\/0\) — last from \+15550100/,
  );
  const element = chat.extra?.find((x) => x.includes("urn:omnivox:mwi:1")) ?? "";
  // Prosody keeps no attribute order
  const tag = (name: string) => element.match(new RegExp(`<${name} [^>]*>`))?.[0] ?? "";
  assert.match(tag("client"), / id="chat"/);
  assert.match(tag("mwi"), / version="3"/);
  assert.match(tag("system"), / id="internal"/);
  assert.match(tag("system"), / new="3"/);
  const pep = await clients.waitFor(
    (e) => e.event === "pubsub" && e.account === alice && /version="3"/.test(e.xml ?? ""),
  );
  assert.equal(pep.from, alice, "the item comes from alice's own PEP service");
  assert.match(pep.xml ?? "", new RegExp(`node="${MWI_NODE}"`));
  assert.match(pep.xml ?? "", /<item [^>]*id="current"/);
  assert.match(pep.xml ?? "", /<total [^>]*new="3"/);
});

test("without a grant Prosody refuses the PEP publish; the chat is still delivered", {
  skip,
}, async () => {
  await adapter.sendIndicator(
    { scheme: "xmpp", jid: carol },
    indicator("carol", carol, 1),
    "mwi-c-1",
  );
  const chat = await clients.waitFor((e) => e.event === "message" && e.id === "mwi-c-1");
  assert.equal(chat?.account, carol);
  assert.ok(!clients.events.some((e) => e.event === "pubsub" && e.account === carol));
  // the component is still online and the next indicator goes out
  await adapter.sendIndicator(
    { scheme: "xmpp", jid: carol },
    indicator("carol", carol, 2),
    "mwi-c-2",
  );
  await clients.waitFor((e) => e.event === "message" && e.id === "mwi-c-2");
});
