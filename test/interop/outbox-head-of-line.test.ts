// One slow target never holds up deliveries to others (docs/performance.md "Head-of-line
// blocking"): more of alice's deliveries than the outbox has slots go to a target that never
// answers — an SMTP relay that accepts and never greets, a web client that never acks, a chat
// client (python3-slixmpp through Prosody) that sends no receipts — while bob's mail must still
// reach his web client before any of hers has ended. Deliveries that only wait for a client's
// confirmation hold no slot, so all of hers are under way at once.

import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import nodemailer from "nodemailer";
import type { ConfigInput } from "../../src/config/schema.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

/** outbox.concurrency here: alice's deliveries outnumber it. */
const SLOTS = 4;
const ALICE_MAILS = SLOTS + 2;
const FORWARD = "mailto:alice.away@example.com";

interface StalledRelay {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections the client gave up on (nodemailer's greeting timeout ends each one). */
  closed: number;
  close(): Promise<void>;
}

/** A relay that takes the TCP connection and never sends its 220 greeting. */
async function startStalledRelay(): Promise<StalledRelay> {
  const sockets = new Set<Socket>();
  const relay = { port: 0, accepted: 0, closed: 0, close: async () => {} };
  const server: Server = createServer((socket) => {
    relay.accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => {
      sockets.delete(socket);
      relay.closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  relay.port = (server.address() as { port: number }).port;
  relay.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return relay;
}

/** Omnivox with few slots, alice (her profile as given) and bob with his web client connected. */
async function startApp(
  config: ConfigInput & { smtpOutPort?: number },
  alice: Record<string, unknown>,
): Promise<{ t: TestApp; bob: TestWebClient }> {
  const t = await startTestApp({
    ...config,
    outbox: { concurrency: SLOTS, ...(config.outbox ?? {}) },
  });
  try {
    await t.addUser({ id: "alice", displayName: "Alice", password: "wonderland", ...alice });
    await t.addUser({
      id: "bob",
      displayName: "Bob",
      emails: ["bob@example.com"],
      password: "the-builder",
    });
    const bob = await connectWebClient(t.app.ports.http!.port, await t.login("bob", "the-builder"));
    return { t, bob };
  } catch (err) {
    await t.stop();
    throw err;
  }
}

async function mail(t: TestApp, to: string, subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.app.ports.smtp!.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const info = await transport.sendMail({
      from: "carol@example.net",
      to,
      subject,
      text: `${subject}.`,
    });
    assert.match(info.response, /^250/);
  } finally {
    transport.close();
  }
}

/** The outbox's finished attempts to targets of this scheme (with this result), from /metrics. */
async function finishedAttempts(t: TestApp, scheme: string, result?: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^omnivox_delivery_attempts_total\{([^}]*)\} (\d+)/gm)) {
    const labels = m[1] ?? "";
    if (!labels.includes(`scheme="${scheme}"`)) continue;
    if (result && !labels.includes(`result="${result}"`)) continue;
    n += Number(m[2]);
  }
  return n;
}

/**
 * Bob's mail comes in once alice's are stalled, and must reach his web client. Her deliveries
 * came in first, so each is due before his: a worker that claims by due time alone gives them
 * every slot. The wait is generous: such a worker frees a slot only when the stalled target's
 * timeout ends an attempt (30 s here), and the caller's assertions tell that apart from a
 * delivery that never waited.
 */
async function bobGetsHisMail(t: TestApp, bob: TestWebClient): Promise<void> {
  await mail(t, "bob@example.com", "For bob");
  const event = await bob.waitFor((e) => e.type === "message" && e.subject === "For bob", 60_000);
  assert.match(String(event.text), /For bob/);
}

test("bob's mail reaches his web client while more forwards than the outbox has slots wait on a stalled relay", {
  timeout: 120_000,
}, async () => {
  const relay = await startStalledRelay();
  const { t, bob } = await startApp(
    { smtpOutPort: relay.port },
    {
      // Her mail is forwarded to the first address; it comes in on the second.
      emails: ["alice.away@example.com", "alice@example.com"],
      routes: [{ from: "email", to: ["email"] }],
    },
  );
  try {
    for (let i = 0; i < ALICE_MAILS; i++) await mail(t, "alice@example.com", `For alice ${i}`);
    await until(
      "alice's forwards in flight at the stalled relay",
      async () =>
        relay.accepted > 0 &&
        (await t.deliveries("alice")).some((d) => d === `${FORWARD} inflight`),
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await bobGetsHisMail(t, bob);
    assert.equal(relay.closed, 0, "no connection to the stalled relay had ended when bob's came");
    assert.equal(await finishedAttempts(t, "mailto"), 0, "no forward to the relay had finished");
    assert.ok(
      (await t.deliveries("alice")).every((d) => d.startsWith(`${FORWARD} `)),
      "all of alice's deliveries are forwards to the stalled relay",
    );
  } finally {
    await bob.close();
    // The relay first: its cut connections end the forwards still under way, which stop awaits.
    await relay.close();
    await t.stop();
  }
});

test("bob's mail reaches his web client while more mails than the outbox has slots wait for alice's web client's ack", {
  timeout: 120_000,
}, async () => {
  // A mail to a web client that never acks is held only when the ack is overdue.
  const { t, bob } = await startApp(
    { outbox: { ackTimeoutMs: 30_000 } },
    { emails: ["alice@example.com"] },
  );
  const alice = await connectWebClient(
    t.app.ports.http!.port,
    await t.login("alice", "wonderland"),
    { autoAck: false },
  );
  try {
    for (let i = 0; i < ALICE_MAILS; i++) await mail(t, "alice@example.com", `For alice ${i}`);
    // Each waits for her ack in a place of its own, not in one of the outbox's slots.
    await until(
      "every mail written to alice's silent client",
      async () => alice.events.filter((e) => e.type === "message").length === ALICE_MAILS,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await bobGetsHisMail(t, bob);
    assert.equal(
      await finishedAttempts(t, "web", "held"),
      0,
      "no mail to alice's silent client had been held for a missing ack when bob's came",
    );
    assert.ok(
      (await t.deliveries("alice")).every((d) => !d.endsWith(" held")),
      "none of alice's deliveries is held",
    );
  } finally {
    await bob.close();
    // Her socket first: the sends waiting for her ack end, which stop awaits.
    await alice.close();
    await t.stop();
  }
});

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();

test("bob's mail reaches his web client while alice's chat client, which sends no receipts, has more messages under way than the outbox has slots", {
  timeout: 120_000,
  skip: prosodyBin.skip ?? python.skip,
}, async () => {
  const prosody = await Prosody.start(prosodyBin.path!, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  let chat: SlixmppClient | undefined;
  let app: { t: TestApp; bob: TestWebClient } | undefined;
  try {
    const jid = `alice@${prosody.domain}`;
    chat = await SlixmppClient.start({
      ...(python.path ? { python: python.path } : {}),
      jid,
      password: "alice-pw",
      port: prosody.c2sPort,
    });
    await chat.autoApprove(true);
    app = await startApp(
      {
        xmpp: {
          server: `127.0.0.1:${prosody.componentPort}`,
          domain: prosody.componentDomain,
          secret: prosody.componentSecret,
          // Her client never acks: each chat counts delivered only after this wait.
          receiptWaitMs: 60_000,
        },
      },
      { emails: ["alice@example.com"], imClients: [{ id: "phone", kind: "xmpp", jid }] },
    );
    const { t, bob } = app;
    for (let i = 0; i < ALICE_MAILS; i++) await mail(t, "alice@example.com", `For alice ${i}`);
    const arrived = () =>
      chat!.events.filter((e) => e.event === "message" && /^For alice \d/.test(e.subject ?? ""));
    await until("every chat at alice's client", async () => arrived().length === ALICE_MAILS, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    await bobGetsHisMail(t, bob);
    // A chat sent before her presence reached the component may have been held and released.
    assert.equal(
      await finishedAttempts(t, "xmpp", "delivered"),
      0,
      "a chat to alice had been counted delivered",
    );
    assert.equal(
      new Set(arrived().map((e) => e.subject)).size,
      ALICE_MAILS,
      "a chat arrived twice",
    );
  } finally {
    await app?.bob.close();
    await app?.t.stop();
    await chat?.quit();
    await prosody.stop();
  }
});
