// 100 users on one Prosody 0.12, each logged in with a python3-slixmpp client
// (one process holds all 100, answering XEP-0184 receipts). One mail to each user, sent over a
// pool of SMTP connections, reaches exactly that user's client: none lost, none twice.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { until } from "../support/until.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? python.skip;

const USERS = Array.from({ length: 100 }, (_, i) => `u${String(i).padStart(3, "0")}`);

let prosody: Prosody;
let clients: SlixmppClient;
let t: TestApp;

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: USERS.map((user) => ({ user, password: `${user}-pw` })),
  });
  const [first, ...more] = USERS.map((user) => ({
    jid: `${user}@${prosody.domain}`,
    password: `${user}-pw`,
  }));
  clients = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    ...first!,
    more,
    receipts: true,
    port: prosody.c2sPort,
    timeoutMs: 90_000,
  });
  await Promise.all(
    USERS.map((u) =>
      clients.command({ cmd: "auto_approve", value: true, account: `${u}@${prosody.domain}` }),
    ),
  );
  t = await startTestApp({
    xmpp: {
      server: `127.0.0.1:${prosody.componentPort}`,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
    },
  });
  for (const user of USERS) {
    await t.addUser({
      id: user,
      displayName: user,
      emails: [`${user}@example.com`],
      imClients: [{ id: "chat", kind: "xmpp", jid: `${user}@${prosody.domain}` }],
    });
  }
});

after(async () => {
  await clients?.quit();
  await t?.stop();
  await prosody?.stop();
});

test("100 users: a mail to each reaches that user's client exactly once", { skip }, async () => {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.app.ports.smtp!.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  try {
    await Promise.all(
      USERS.map((user) =>
        transport.sendMail({
          from: "bob@example.net",
          to: `${user}@example.com`,
          subject: `For ${user}`,
          text: `token-${user}`,
        }),
      ),
    );
  } finally {
    transport.close();
  }
  const tokens = () =>
    clients.events.filter((e) => e.event === "message" && /token-u\d+/.test(e.body ?? ""));
  await until("all clients", () => new Set(tokens().map((e) => e.account)).size === USERS.length, {
    timeoutMs: 60000,
    intervalMs: 100,
  });
  // every delivery is marked done, so nothing more is on its way
  for (const user of USERS) {
    await until(
      `${user}'s delivery done`,
      async () => {
        const res = await t.api("GET", `/communications?userId=${user}`);
        const list = res.body as Array<{ deliveries: Array<{ state: string }> }>;
        return list.flatMap((c) => c.deliveries).every((d) => d.state === "delivered");
      },
      { timeoutMs: 60000, intervalMs: 100 },
    );
  }
  const got = tokens();
  for (const user of USERS) {
    const mine = got.filter((e) => e.account === `${user}@${prosody.domain}`);
    assert.deepEqual(
      mine.map((e) => e.body?.match(/token-u\d+/)?.[0]),
      [`token-${user}`],
      `${user} got ${mine.length} messages`,
    );
  }
  assert.equal(got.length, USERS.length);
});
