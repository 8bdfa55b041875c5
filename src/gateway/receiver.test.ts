// The receiver: routing into durable deliveries, threading by native ids, the same native message
// received twice being one communication, and clear errors for unknown recipients.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import type { Communication } from "../core/communication.ts";
import { ValidationError } from "../core/errors.ts";
import type { CommunicationDraft, ExtraTarget } from "../core/ports.ts";
import { defaultProfile } from "../core/profile.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { Receiver } from "./receiver.ts";

let store: Store;
let receiver: Receiver;
const committed: Communication[] = [];

before(async () => {
  store = await openStore({ database: ":memory:", dataDir: "/nonexistent" });
  await store.users.create(
    { ...defaultProfile("alice", "Alice"), emails: ["alice@example.com"], phones: ["+15550001"] },
    {},
  );
  await store.users.create({ ...defaultProfile("bob"), emails: ["bob@example.com"] }, {});
  receiver = new Receiver({
    store,
    logger: pino({ level: "silent" }),
    holdMs: 60_000,
    onCommitted: (c) => committed.push(c),
  });
});

after(async () => {
  await store.close();
});

function mailTo(to: string, messageId: string, replyTo: string[] = []): CommunicationDraft {
  return {
    kind: "email",
    direction: "inbound",
    from: { scheme: "mailto", email: "carol@example.net" },
    to: { scheme: "mailto", email: to },
    subject: "s",
    receivedAt: new Date(),
    nativeRefs: [{ system: "email", id: messageId }],
    replyTo: replyTo.map((id) => ({ system: "email", id })),
    warnings: [],
    body: { text: "hello" },
  };
}

/** A voicemail deposit's draft for alice, with the targets its adapter adds. */
function callTo(callId: string, extraTargets: ExtraTarget[]): CommunicationDraft {
  return {
    kind: "voicemail",
    direction: "inbound",
    userId: "alice",
    from: { scheme: "tel", number: "+15551234" },
    to: { scheme: "tel", number: "+15550001" },
    receivedAt: new Date(),
    nativeRefs: [{ system: "voicemail", id: callId }],
    warnings: [],
    body: { audioId: `vm-${callId}`, durationMs: 2000 },
    extraTargets,
  };
}

test("an inbound mail is stored with one pending delivery per route target, then announced", async () => {
  const c = await receiver.receive(mailTo("alice@example.com", "m1@x"));
  assert.equal(c.userId, "alice");
  assert.equal(c.thread.threadId, c.id);
  const [stored] = await store.communications.listForUser("alice", { limit: 1 });
  assert.equal(stored?.communication.id, c.id);
  assert.deepEqual(
    stored?.deliveries.map((d) => [d.target, d.state]),
    [["web:alice/web", "pending"]],
  );
  assert.equal(committed.at(-1)?.id, c.id);
});

test("the same native message received again is the same communication", async () => {
  const first = await receiver.receive(mailTo("alice@example.com", "dup@x"));
  const again = await receiver.receive(mailTo("alice@example.com", "dup@x"));
  assert.equal(again.id, first.id);
  const list = await store.communications.listForUser("alice");
  assert.equal(list.filter((x) => x.communication.id === first.id).length, 1);
});

test("a reply joins the thread of the newest message it names, only within the same user", async () => {
  const root = await receiver.receive(mailTo("alice@example.com", "root@x"));
  const reply = await receiver.receive(
    mailTo("alice@example.com", "reply@x", ["unknown@x", "root@x"]),
  );
  assert.equal(reply.thread.threadId, root.thread.threadId);
  assert.equal(reply.thread.parentId, root.id);
  // Bob cannot attach his mail to Alice's thread by naming her Message-ID.
  const bobs = await receiver.receive(mailTo("bob@example.com", "bob1@x", ["root@x"]));
  assert.equal(bobs.thread.threadId, bobs.id);
});

test("a reply without a subject (a chat) takes the parent's as Re:, once", async () => {
  const root = await receiver.receive({
    ...mailTo("alice@example.com", "budget@x"),
    subject: "Budget",
  });
  const chat: CommunicationDraft = {
    kind: "im",
    direction: "outbound",
    userId: "alice",
    from: { scheme: "xmpp", jid: "alice@chat.example.com" },
    to: { scheme: "mailto", email: "carol@example.net" },
    receivedAt: new Date(),
    nativeRefs: [{ system: "im", id: "chat-1" }],
    replyTo: [{ system: "omnivox", id: root.id }],
    warnings: [],
    body: { text: "Looks fine to me" },
  };
  const reply = await receiver.receive(chat);
  assert.equal(reply.subject, "Re: Budget");
  const again = await receiver.receive({
    ...chat,
    nativeRefs: [{ system: "im", id: "chat-2" }],
    replyTo: [{ system: "omnivox", id: reply.id }],
  });
  assert.equal(again.subject, "Re: Budget", "no Re: Re:");
  const own = await receiver.receive({
    ...chat,
    subject: "New topic",
    nativeRefs: [{ system: "im", id: "chat-3" }],
  });
  assert.equal(own.subject, "New topic");
});

test("an unknown recipient is a ValidationError naming the address", async () => {
  await assert.rejects(
    receiver.receive(mailTo("nobody@example.com", "n@x")),
    (e: unknown) => e instanceof ValidationError && /nobody@example\.com/.test(e.message),
  );
});

test("route targets the profile cannot resolve are recorded as a warning", async () => {
  const im: CommunicationDraft = {
    kind: "im",
    direction: "inbound",
    userId: "bob",
    from: { scheme: "xmpp", jid: "carol@jabber.example" },
    to: { scheme: "xmpp", jid: "bob@um.example" },
    receivedAt: new Date(),
    nativeRefs: [],
    warnings: [],
    body: { text: "hi" },
  };
  await store.users.update("bob", {
    ...defaultProfile("bob"),
    emails: [],
    routes: [{ from: "im", to: ["email"] }],
  });
  const c = await receiver.receive(im);
  assert.ok(c.warnings.some((w) => /email/.test(w)));
});

test("extra targets join the routed ones; one delivered already is stored delivered", async () => {
  await store.users.update("alice", {
    ...defaultProfile("alice", "Alice"),
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    voicemailSystems: [
      { id: "pbx", kind: "sip", uri: "sip:4100@pbx.example", depositUri: "sip:4100@pbx.example" },
      { id: "octel", kind: "smdi", link: "l1", station: "4100", depositUri: "sip:vm@octel" },
    ],
    // The route names the boxes too: the adapter's extra target replaces the routed one.
    routes: [{ from: "voicemail", to: ["email", "legacy-voicemail"] }],
  });
  const c = await receiver.receive(
    callTo("call-extra-1", [
      {
        address: { scheme: "legacy", userId: "alice", systemId: "pbx" },
        delivered: { nativeId: "legacy-call@pbx" },
      },
      { address: { scheme: "legacy", userId: "alice", systemId: "octel" } },
      { address: { scheme: "legacy", userId: "alice", systemId: "octel" } },
    ]),
  );
  assert.equal("extraTargets" in c, false, "extra targets are not part of the communication");
  const [stored] = await store.communications.listForUser("alice", { limit: 1 });
  assert.equal(stored?.communication.id, c.id);
  assert.equal("extraTargets" in (stored?.communication ?? {}), false);
  const byTarget = new Map(stored?.deliveries.map((d) => [d.target, d]));
  assert.deepEqual([...byTarget.keys()].sort(), [
    "legacy:alice/octel",
    "legacy:alice/pbx",
    "mailto:alice@example.com",
  ]);
  assert.equal(byTarget.get("legacy:alice/pbx")?.state, "delivered");
  assert.equal(byTarget.get("legacy:alice/pbx")?.nativeId, "legacy-call@pbx");
  assert.equal(byTarget.get("legacy:alice/octel")?.state, "pending");
  assert.equal(byTarget.get("mailto:alice@example.com")?.state, "pending");
});

test("every delivery stores the options of the route that matched, extra targets too", async () => {
  await store.users.update("alice", {
    ...defaultProfile("alice", "Alice"),
    emails: ["alice@example.com"],
    voicemailSystems: [
      { id: "pbx", kind: "sip", uri: "sip:4100@pbx.example", depositUri: "sip:4100@pbx.example" },
    ],
    routes: [
      { from: "voicemail", to: ["email"], transcribe: false, voice: "en-gb", language: "en" },
      { from: "*", to: ["im"], transcribe: true },
    ],
  });
  await receiver.receive(
    callTo("call-options-1", [{ address: { scheme: "legacy", userId: "alice", systemId: "pbx" } }]),
  );
  const [stored] = await store.communications.listForUser("alice", { limit: 1 });
  const matched = { transcribe: false, voice: "en-gb", language: "en" };
  assert.deepEqual(
    stored?.deliveries.map((d) => [d.target, d.route]),
    [
      ["legacy:alice/pbx", matched],
      ["mailto:alice@example.com", matched],
    ],
  );
});
