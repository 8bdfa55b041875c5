// JIDs as owned addresses against a real Prosody with python3-slixmpp clients: Mallory cannot put
// Carol's JID in her profile (403 herself, 409 from the admin), so Carol's chat still leaves as
// mail from Carol; and with addresses.selfClaim a user proves a JID by the code omnivox sends to
// it as a chat, read by the real client there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? python.skip;

let prosody: Prosody;
let carol: SlixmppClient;
let dave: SlixmppClient;
let sink: SmtpSink;
let t: TestApp;

function client(user: string): Promise<SlixmppClient> {
  return SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `${user}@${prosody.domain}`,
    password: `${user}-pw`,
    port: prosody.c2sPort,
  });
}

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [
      { user: "carol", password: "carol-pw" },
      { user: "dave", password: "dave-pw" },
    ],
  });
  sink = await startSmtpSink();
  carol = await client("carol");
  dave = await client("dave");
  await carol.autoApprove(true);
  await dave.autoApprove(true);
  t = await startTestApp({
    smtpOutPort: sink.port,
    addresses: { selfClaim: true },
    xmpp: {
      server: `127.0.0.1:${prosody.componentPort}`,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
    },
  });
  await t.addUser({
    id: "carol",
    displayName: "Carol",
    emails: ["carol@example.com"],
    imClients: [{ id: "chat", kind: "xmpp", jid: `carol@${prosody.domain}` }],
    password: "carol-password",
  });
  await t.addUser({ id: "mallory", password: "mallory-password" });
  await t.addUser({ id: "dave", password: "dave-password" });
});

after(async () => {
  await carol?.quit();
  await dave?.quit();
  await t?.stop();
  await sink?.close();
  await prosody?.stop();
});

test("Mallory cannot take Carol's JID, and Carol's chat still leaves as mail from Carol", {
  skip,
  timeout: 60_000,
}, async () => {
  const mallory = await t.login("mallory", "mallory-password");
  const jid = `carol@${prosody.domain}`;
  const self = await t.api(
    "PATCH",
    "/users/mallory",
    { imClients: [{ id: "x", kind: "xmpp", jid }] },
    mallory,
  );
  assert.equal(self.status, 403);
  const byAdmin = await t.api("PATCH", "/users/mallory", {
    imClients: [{ id: "x", kind: "xmpp", jid: jid.toUpperCase() }],
  });
  assert.equal(byAdmin.status, 409);
  const claim = await t.api("POST", "/users/mallory/claims", { jid }, mallory);
  assert.equal(claim.status, 409, "no code is even sent to an owned JID");

  const before = sink.mails.length;
  await carol.send(`bob\\40elsewhere.net@${prosody.componentDomain}`, "only from carol");
  const mails = await sink.waitFor(before + 1, 20_000);
  const sent = mails.find((m) => m.to.includes("bob@elsewhere.net"));
  assert.ok(sent);
  assert.equal(sent.from, "carol@example.com");
  assert.equal(sent.parsed.from?.value[0]?.address, "carol@example.com");
});

test("Dave proves his JID by the code that reaches his XMPP client", {
  skip,
  timeout: 60_000,
}, async () => {
  const token = await t.login("dave", "dave-password");
  const jid = `dave@${prosody.domain}`;
  const res = await t.api("POST", "/users/dave/claims", { jid }, token);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const chat = await dave.waitFor(
    (e) => e.event === "message" && /code: [A-Z0-9]{10}/.test(e.body ?? ""),
    20_000,
  );
  const code = /code: ([A-Z0-9]{10})/.exec(chat.body ?? "")?.[1];
  assert.ok(code);
  assert.equal(chat.from, `omnivox@${prosody.componentDomain}`);
  const done = await t.api("POST", `/users/dave/claims/${code}`, undefined, token);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal((await t.app.store.users.findByJid(jid))?.id, "dave");
});
