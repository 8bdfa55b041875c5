// Bad input and faults at gateway level: a python3-slixmpp client sends
// oversized, deeply nested, malformed and odd stanzas through Prosody 0.12 to our component, and
// Prosody is restarted in the middle of a stream of deliveries. omnivox neither crashes nor loses
// anything: the component stays up or reconnects, and every mail reaches alice's client.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { until } from "../support/until.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? python.skip;

let prosody: Prosody;
let alice: SlixmppClient;
let sink: SmtpSink;
let t: TestApp;
let bob: string;

const onlineCount = () => alice.events.filter((e) => e.event === "online").length;

async function sendMails(subjects: string[]): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.app.ports.smtp!.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 2,
  });
  try {
    for (const subject of subjects) {
      await transport.sendMail({
        from: "bob@example.net",
        to: "alice@example.com",
        subject,
        text: `token ${subject}`,
      });
    }
  } finally {
    transport.close();
  }
}

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  bob = `bob\\40example.net@${prosody.componentDomain}`;
  sink = await startSmtpSink();
  alice = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `alice@${prosody.domain}`,
    password: "alice-pw",
    receipts: true,
    port: prosody.c2sPort,
  });
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
    emails: ["alice@example.com"],
    imClients: [{ id: "chat", kind: "xmpp", jid: `alice@${prosody.domain}` }],
  });
  // the first mail makes the adapter subscribe; it is shown once alice's presence is known
  await sendMails(["warm-up"]);
  await alice.waitFor((e) => e.event === "message" && /warm-up/.test(e.body ?? ""), 30_000);
});

after(async () => {
  await alice?.quit();
  await t?.stop();
  await sink?.close();
  await prosody?.stop();
});

test("oversized, deep, malformed and odd stanzas from a client: refused, nothing breaks", {
  skip,
}, async () => {
  const to = `to="${bob}"`;
  // under Prosody's 256 KiB client limit, over ours once Prosody has stamped its `from` on it
  const padding = 262_144 - `<message ${to} type="chat" id="big"><body></body></message>`.length;
  await alice.raw(
    `<message ${to} type="chat" id="big"><body>${"x".repeat(padding - 8)}</body></message>`,
  );
  await alice.raw(
    `<message ${to} type="chat" id="deep"><body>deep</body>${"<a>".repeat(100)}${"</a>".repeat(100)}</message>`,
  );
  const bounces = await Promise.all(
    ["big", "deep"].map((id) => alice.waitFor((e) => e.event === "error" && e.id === id)),
  );
  assert.deepEqual(
    bounces.map((e) => e.condition),
    ["policy-violation", "policy-violation"],
  );
  // well-formed oddities: a bad escape, an error without id, an iq nobody serves, an empty body
  await alice.raw(
    `<message to="bob\\zz@${prosody.componentDomain}" type="chat" id="esc"><body>?</body></message>`,
  );
  await alice.raw(
    `<message ${to} type="error"><error type="cancel"><gone xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
  );
  await alice.raw(`<iq ${to} type="set" id="iq1"><query xmlns="jabber:iq:register"/></iq>`);
  await alice.raw(`<message ${to} type="chat" id="empty"><body/></message>`);
  await alice.waitFor((e) => e.event === "error" && e.id === "esc");
  // over Prosody's own limit, then broken XML: Prosody ends alice's stream each time, she logs in again
  for (const bad of [
    `<message ${to} type="chat"><body>${"y".repeat(300_000)}</body></message>`,
    `<message ${to} type="chat"><body>broken</message>`,
  ]) {
    const logins = onlineCount();
    await alice.raw(bad);
    await until("alice back online", () => onlineCount() > logins, {
      timeoutMs: 30000,
      intervalMs: 50,
    });
  }
  // the component is still there both ways; no mail came of any of the above
  const before = sink.mails.length;
  await alice.send(bob, "after the storm");
  const mails = await sink.waitFor(before + 1, 20_000);
  assert.match(mails.at(-1)?.parsed.text ?? "", /after the storm/);
  assert.ok(
    !sink.mails.some((m) => /xxxxxxxx|yyyyyyyy|broken|deep/.test(m.parsed.text ?? "")),
    "no refused stanza became mail",
  );
  await sendMails(["still-up"]);
  await alice.waitFor((e) => e.event === "message" && /still-up/.test(e.body ?? ""), 20_000);
  const health = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/healthz`);
  assert.equal(health.status, 200);
});

test("Prosody restarts in the middle of a stream of deliveries: all arrive, component reconnects", {
  skip,
}, async (ctx) => {
  const subjects = Array.from({ length: 30 }, (_, i) => `restart-${String(i).padStart(2, "0")}`);
  const got = () =>
    alice.events.filter((e) => e.event === "message" && /^token restart-\d+/.test(e.body ?? ""));
  await sendMails(subjects.slice(0, 15));
  await until("the first deliveries", () => got().length >= 5, {
    timeoutMs: 30000,
    intervalMs: 50,
  });
  // the rest arrive while Prosody is down and coming back
  await Promise.all([prosody.restart(), sendMails(subjects.slice(15))]);
  await until(
    "every delivery after the restart",
    () => new Set(got().map((e) => e.body?.match(/restart-\d+/)?.[0])).size === subjects.length,
    { timeoutMs: 90_000, intervalMs: 50 },
  );
  await until(
    "every delivery marked delivered",
    async () => {
      const res = await t.api("GET", "/communications?userId=alice");
      const list = res.body as Array<{ subject?: string; deliveries: Array<{ state: string }> }>;
      return list
        .filter((c) => c.subject?.startsWith("restart-"))
        .flatMap((c) => c.deliveries)
        .every((d) => d.state === "delivered");
    },
    { timeoutMs: 30000, intervalMs: 50 },
  );
  // the restart fell between deliveries: some arrived before alice lost her stream, some after
  const cut = alice.events.findLastIndex((e) => e.event === "disconnected");
  const isRestartMail = (e: (typeof alice.events)[number]) =>
    e.event === "message" && /^token restart-/.test(e.body ?? "");
  assert.ok(alice.events.slice(0, cut).some(isRestartMail), "mails before the restart");
  assert.ok(alice.events.slice(cut).some(isRestartMail), "mails after the restart");
  // at least once: a message whose receipt the restart swallowed comes again with the same id,
  // so a client that drops repeated ids shows each mail once
  const idsPerMail = new Map<string, Set<string>>();
  for (const e of got()) {
    const key = e.body?.match(/restart-\d+/)?.[0] ?? "";
    idsPerMail.set(key, (idsPerMail.get(key) ?? new Set()).add(e.id ?? ""));
  }
  for (const [mail, ids] of idsPerMail) assert.equal(ids.size, 1, `${mail} came with ${[...ids]}`);
  ctx.diagnostic(`${got().length} chats for ${subjects.length} mails`);
});
