// The XMPP IM adapter against a real Prosody 0.12 with a python3-slixmpp
// client as alice. Mail to alice reaches her chat client from the sender's escaped JID; her chat
// to `bob\40elsewhere.net@<component>` leaves as mail; her reply to a mail goes back to its sender
// in the same thread; a voicemail indicator reaches her XMPP and web clients, each named, and an
// away XMPP client gets only the latest; offline, a mail waits until she logs in.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { swaks } from "../support/swaks.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type StreamEvent } from "../support/web-client.ts";

const prosodyBin = peer("prosody", "prosody");
const swaksBin = peer("swaks", "swaks");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? swaksBin.skip ?? python.skip;

let prosody: Prosody;
let alice: SlixmppClient;
let sink: SmtpSink;
let t: TestApp;

function login(): Promise<SlixmppClient> {
  return SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `alice@${prosody.domain}`,
    password: "alice-pw",
    port: prosody.c2sPort,
  });
}

async function mail(subject: string, body: string, extra: string[] = []): Promise<void> {
  const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "bob@example.net",
    "--to",
    "alice@example.com",
    "--header",
    `Subject: ${subject}`,
    "--body",
    body,
    ...extra,
  ]);
  assert.equal(res.code, 0, res.output);
}

async function states(subject: string): Promise<string[]> {
  const res = await t.api("GET", "/communications?userId=alice");
  const list = res.body as Array<{
    subject?: string;
    deliveries: Array<{ state: string; target: string }>;
  }>;
  return list
    .filter((c) => c.subject === subject)
    .flatMap((c) => c.deliveries.filter((d) => d.target.startsWith("xmpp:")).map((d) => d.state));
}

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  sink = await startSmtpSink();
  alice = await login();
  await alice.autoApprove(true);
  t = await startTestApp({
    smtpOutPort: sink.port,
    xmpp: {
      server: `127.0.0.1:${prosody.componentPort}`,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
    },
  });
  await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    imClients: [
      { id: "phone", kind: "xmpp", jid: `alice@${prosody.domain}` },
      { id: "desk", kind: "web" },
    ],
    password: "wonderland",
  });
});

after(async () => {
  await alice?.quit();
  await t?.stop();
  await sink?.close();
  await prosody?.stop();
});

test("a mail to alice reaches her XMPP client from the sender's escaped JID", {
  skip,
}, async () => {
  await mail("Lunch?", "Are you free at noon?");
  const from = `bob\\40example.net@${prosody.componentDomain}`;
  const got = await alice.waitFor(
    (e) => e.event === "message" && e.from === from && /noon/.test(e.body ?? ""),
    20_000,
  );
  assert.equal(got.type, "chat");
  assert.match(got.body ?? "", /Are you free at noon\?/);
  assert.equal(got.subject, "Lunch?");
  assert.ok(
    got.extra?.some((x) => x.includes("urn:xmpp:receipts")),
    String(got.extra),
  );
  await until("delivered", async () => (await states("Lunch?")).every((s) => s === "delivered"), {
    timeoutMs: 10000,
    intervalMs: 50,
  });
});

test("alice's chat to bob\\40elsewhere.net@<component> leaves as mail to bob", {
  skip,
}, async () => {
  const before = sink.mails.length;
  await alice.send(`bob\\40elsewhere.net@${prosody.componentDomain}`, "Lunch?");
  const mails = await sink.waitFor(before + 1, 20_000);
  const sent = mails.find((m) => m.to.includes("bob@elsewhere.net"));
  assert.ok(sent, JSON.stringify(mails.map((m) => m.to)));
  assert.match(sent.parsed.text ?? "", /Lunch\?/);
});

test("a chat to a local part that names no address is refused; the next one still works", {
  skip,
}, async () => {
  // slixmpp reports message errors apart from messages; what matters is no mail and no crash
  const before = sink.mails.length;
  await alice.send(`nobody-here@${prosody.componentDomain}`, "hello?");
  await alice.send(`carol\\40elsewhere.net@${prosody.componentDomain}`, "still there?");
  const mails = await sink.waitFor(before + 1, 20_000);
  assert.deepEqual(
    mails.slice(before).map((m) => m.to),
    [["carol@elsewhere.net"]],
  );
});

test("alice's reply (slixmpp keeps <thread>) reaches bob by mail in the mail's thread", {
  skip,
}, async () => {
  await mail("Budget", "Numbers attached?", ["--header", "Message-Id: <budget-1@example.net>"]);
  const from = `bob\\40example.net@${prosody.componentDomain}`;
  const got = await alice.waitFor(
    (e) => e.event === "message" && e.from === from && /Numbers/.test(e.body ?? ""),
    20_000,
  );
  assert.ok(got.thread, "the chat names its thread");
  const before = sink.mails.length;
  await alice.reply(from, "Yes, on page 2.");
  const mails = await sink.waitFor(before + 1, 20_000);
  const sent = mails.slice(before).find((m) => m.to.includes("bob@example.net"));
  assert.ok(sent, JSON.stringify(mails.map((m) => m.to)));
  assert.match(sent.parsed.text ?? "", /page 2/);
  assert.equal(sent.parsed.inReplyTo, "<budget-1@example.net>");
  assert.deepEqual([sent.parsed.references ?? []].flat(), ["<budget-1@example.net>"]);
});

test("a reply without <thread> answers the last mail sent to alice from that address", {
  skip,
}, async () => {
  await mail("Dinner", "Pizza tonight?", ["--header", "Message-Id: <dinner-1@example.net>"]);
  const from = `bob\\40example.net@${prosody.componentDomain}`;
  await alice.waitFor((e) => e.event === "message" && /Pizza/.test(e.body ?? ""), 20_000);
  // the outbox marks the chat delivered (and so knows its thread) after slixmpp took it
  await until("delivered", async () => (await states("Dinner")).every((s) => s === "delivered"), {
    timeoutMs: 10000,
    intervalMs: 50,
  });
  const before = sink.mails.length;
  await alice.send(from, "Sure, 8pm.");
  const mails = await sink.waitFor(before + 1, 20_000);
  const sent = mails.slice(before).find((m) => m.to.includes("bob@example.net"));
  assert.ok(sent);
  assert.equal(sent.parsed.inReplyTo, "<dinner-1@example.net>");
});

/** The `<mwi>` element of an indicator chat, and one of its tags (Prosody keeps no attribute order). */
function mwiTag(extra: string[] | undefined, name: string): string {
  const element = extra?.find((x) => x.includes("urn:omnivox:mwi:1")) ?? "";
  return element.match(new RegExp(`<${name} [^>]*>`))?.[0] ?? "";
}

const isIndicator = (e: { event: string; extra?: string[] }) =>
  e.event === "message" && mwiTag(e.extra, "mwi") !== "";

test("an MWI change reaches alice's XMPP client and her web client, each with its own id", {
  skip,
}, async () => {
  const token = await t.login("alice", "wonderland");
  const desk = await connectWebClient(t.app.ports.http!.port, token, { client: "desk" });
  try {
    const off = await t.api("PUT", "/users/alice/mwi/internal", { enabled: false }, token);
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const internalOff = (e: StreamEvent) =>
      e.type === "mwi" &&
      (e.systems as Array<{ id: string; enabled: boolean }>).some(
        (s) => s.id === "internal" && !s.enabled,
      );
    const [web, chat] = await Promise.all([
      desk.waitFor(internalOff),
      alice.waitFor((e) => isIndicator(e) && / enabled="false"/.test(mwiTag(e.extra, "system"))),
    ]);
    assert.deepEqual(web.client, { id: "desk", kind: "web" });
    const client = mwiTag(chat.extra, "client");
    assert.match(client, / id="phone"/);
    assert.match(client, / kind="xmpp"/);
    assert.match(client, new RegExp(` jid="alice@${prosody.domain}"`));
    assert.match(chat.body ?? "", /^Voicemail: 0 new, 0 old \(internal off\)/);
    assert.equal(chat.from, `alice@${prosody.componentDomain}`);
    // the same change, one version number for both
    assert.equal(mwiTag(chat.extra, "mwi").match(/ version="(\d+)"/)?.[1], String(web.version));
  } finally {
    await desk.close();
  }
});

test("away, alice's XMPP client gets only the latest indicator when she is back", {
  skip,
}, async () => {
  const token = await t.login("alice", "wonderland");
  await alice.quit();
  await new Promise((r) => setTimeout(r, 500));
  for (const enabled of [true, false, true]) {
    const res = await t.api("PUT", "/users/alice/mwi/internal", { enabled }, token);
    assert.equal(res.status, 200);
  }
  alice = await login();
  const first = await alice.waitFor(isIndicator, 20_000);
  assert.match(mwiTag(first.extra, "system"), / enabled="true"/);
  // a mail after it arrives after it too: by then a second indicator would have shown up
  await mail("After the indicators", "ping");
  await alice.waitFor((e) => e.event === "message" && e.subject === "After the indicators", 20_000);
  assert.equal(alice.events.filter(isIndicator).length, 1, "one indicator, the latest");
});

test("offline, a mail is held and reaches alice when she logs in again", {
  skip,
}, async () => {
  await alice.quit();
  // Prosody tells the component that alice went away
  await new Promise((r) => setTimeout(r, 500));
  await mail("While you were out", "Call me back.");
  await until("held", async () => (await states("While you were out")).includes("held"), {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  alice = await login();
  const got = await alice.waitFor(
    (e) => e.event === "message" && /Call me back/.test(e.body ?? ""),
    20_000,
  );
  assert.equal(got.from, `bob\\40example.net@${prosody.componentDomain}`);
  await until(
    "delivered",
    async () => (await states("While you were out")).every((s) => s === "delivered"),
    { timeoutMs: 10000, intervalMs: 50 },
  );
});
