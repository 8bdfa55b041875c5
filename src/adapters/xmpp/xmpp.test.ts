// Unit tests of the XMPP adapter's pure parts: sender JIDs (XEP-0106), the chat stanza with
// XEP-0066/XEP-0184 children, localpart → party, reading a chat, and presence tracking.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Communication } from "../../core/communication.ts";
import { child, childText, toXml, xml } from "../../protocols/xmpp/index.ts";
import { partyOf, readChat } from "./inbound.ts";
import { chatMessage, senderJid } from "./outbound.ts";
import { PresenceTracker } from "./presence.ts";

function comm(over: Partial<Communication>): Communication {
  return {
    id: "c1",
    userId: "alice",
    kind: "email",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net" },
    to: { scheme: "mailto", email: "alice@example.com" },
    body: { text: "hi" },
    receivedAt: new Date(),
    thread: { threadId: "c1" },
    nativeRefs: [],
    warnings: [],
    ...over,
  } as Communication;
}

test("the sender JID is the original party, escaped, or the user's own for outbound", () => {
  assert.equal(senderJid(comm({}), "gw.test"), "bob\\40example.net@gw.test");
  assert.equal(
    senderJid(comm({ from: { scheme: "tel", number: "+15551234" } }), "gw.test"),
    "+15551234@gw.test",
  );
  assert.equal(senderJid(comm({ direction: "outbound" }), "gw.test"), "alice@gw.test");
});

test("a chat message carries subject, body, an OOB link and a receipt request", () => {
  const m = chatMessage({
    to: "alice@x.test",
    from: "bob\\40example.net@gw.test",
    id: "d1",
    rendition: {
      medium: "text",
      subject: "Voicemail",
      text: "You have a message",
      from: "bob",
      audioUrl: "http://h/a.wav",
      notes: [],
    },
  });
  assert.equal(m.attrs.type, "chat");
  assert.equal(m.attrs.id, "d1");
  assert.equal(childText(m, "subject"), "Voicemail");
  assert.match(childText(m, "body") ?? "", /You have a message/);
  const oob = child(m, "x", "jabber:x:oob");
  assert.ok(oob);
  assert.equal(childText(oob, "url"), "http://h/a.wav");
  assert.ok(child(m, "request", "urn:xmpp:receipts"));
  assert.match(toXml(m), /from="bob\\40example.net@gw.test"/);
});

test("a localpart names mail, phone or SIP; anything else nothing", () => {
  assert.deepEqual(partyOf("bob@elsewhere.net"), { scheme: "mailto", email: "bob@elsewhere.net" });
  assert.deepEqual(partyOf("+15551234"), { scheme: "tel", number: "+15551234" });
  assert.deepEqual(partyOf("sip:x@y"), { scheme: "sip", uri: "sip:x@y" });
  assert.equal(partyOf("nobody"), undefined);
});

test("readChat unescapes the localpart and ignores other domains and bodiless messages", () => {
  const s = xml(
    "message",
    { type: "chat", from: "alice@x.test/phone", to: "bob\\40e.net@gw.test", id: "m1" },
    xml("body", {}, "Lunch?"),
  );
  const chat = readChat(s, "gw.test");
  assert.equal(chat?.local, "bob@e.net");
  assert.equal(chat?.bare, "alice@x.test");
  assert.equal(chat?.id, "m1");
  assert.equal(readChat(s, "other.test"), undefined);
  assert.equal(
    readChat(xml("message", { type: "chat", from: "a@x", to: "b@gw.test" }), "gw.test"),
    undefined,
  );
});

test("presence: available once per return, unavailable when the last resource leaves", () => {
  const p = new PresenceTracker();
  const seen: string[] = [];
  p.onAvailable((j) => seen.push(j));
  p.available("a@x", "r1");
  p.available("a@x", "r2");
  p.unavailable("a@x", "r1");
  assert.equal(p.state("a@x"), "available");
  p.unavailable("a@x", "r2");
  assert.equal(p.state("a@x"), "unavailable");
  p.available("a@x", "r1");
  assert.deepEqual(seen, ["a@x", "a@x"]);
});
