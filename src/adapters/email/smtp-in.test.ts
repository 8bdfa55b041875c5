import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import nodemailer from "nodemailer";
import { pino } from "pino";
import { RawSmtpClient } from "../../../test/support/smtp-client.ts";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import type { CommunicationDraft, Gateway } from "../../core/ports.ts";
import { LOOP_REF_PREFIX, loopedFrom } from "./drafts.ts";
import { createSmtpIn, type SmtpInServer } from "./smtp-in.ts";

const logger = pino({ level: "silent" });

class FakeGateway implements Gateway {
  readonly users = new Map([
    ["alice@example.test", "u-alice"],
    ["bob@other.test", "u-bob"],
  ]);
  received: CommunicationDraft[] = [];
  calls = 0;
  fail = false;
  hold: Promise<void> | undefined;
  onReceive: (() => void) | undefined;

  async resolveUser(address: Address): Promise<string | undefined> {
    return address.scheme === "mailto" ? this.users.get(address.email) : undefined;
  }

  async receive(draft: CommunicationDraft): Promise<Communication> {
    this.calls++;
    this.onReceive?.();
    if (this.hold) await this.hold;
    if (this.fail) throw new Error("store unavailable");
    this.received.push(draft);
    const id = `c${this.received.length}`;
    return { ...draft, id, userId: draft.userId ?? "", thread: { threadId: id } } as Communication;
  }
}

function only(gateway: FakeGateway): CommunicationDraft & { kind: "email" } {
  assert.equal(gateway.received.length, 1);
  const draft = gateway.received[0]!;
  assert.equal(draft.kind, "email");
  return draft as CommunicationDraft & { kind: "email" };
}

describe("smtp in", () => {
  const gateway = new FakeGateway();
  let server: SmtpInServer;
  let port: number;

  before(async () => {
    server = createSmtpIn({
      listen: { host: "127.0.0.1", port: 0 },
      domains: ["Example.TEST", "other.test."],
      maxMessageBytes: 4096,
      maxRecipients: 3,
      gateway,
      logger,
    });
    ({ port } = await server.start());
  });
  after(() => server.stop());
  beforeEach(() => {
    gateway.received = [];
    gateway.calls = 0;
    gateway.fail = false;
    gateway.hold = undefined;
    gateway.onReceive = undefined;
  });

  function transport() {
    return nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  }

  it("accepts mail for a known user and hands the gateway a complete draft", async () => {
    const t = transport();
    const info = await t.sendMail({
      from: { name: "Carol Sender", address: "Carol@Sender.example" },
      to: "alice@example.test",
      subject: "Lunch?",
      text: "Shall we have lunch?",
      html: "<p>Shall we have <b>lunch</b>?</p>",
      messageId: "<m1@sender.example>",
      inReplyTo: "<m0@sender.example>",
      references: ["<root@sender.example>", "<m0@sender.example>"],
    });
    t.close();
    assert.match(info.response, /^250/);
    const draft = only(gateway);
    assert.equal(draft.direction, "inbound");
    assert.equal(draft.userId, "u-alice");
    assert.deepEqual(draft.from, {
      scheme: "mailto",
      email: "carol@sender.example",
      name: "Carol Sender",
    });
    assert.deepEqual(draft.to, { scheme: "mailto", email: "alice@example.test" });
    assert.equal(draft.subject, "Lunch?");
    assert.equal(draft.body.text.trim(), "Shall we have lunch?");
    assert.match(draft.body.html ?? "", /<b>lunch<\/b>/);
    assert.deepEqual(draft.nativeRefs, [{ system: "email", id: "m1@sender.example" }]);
    assert.deepEqual(draft.replyTo, [
      { system: "email", id: "root@sender.example" },
      { system: "email", id: "m0@sender.example" },
    ]);
    assert.deepEqual(draft.warnings, []);
    assert.ok(draft.receivedAt instanceof Date);
    assert.ok(Math.abs(draft.receivedAt.getTime() - Date.now()) < 10_000);
  });

  it("matches our domains case-insensitively and makes one draft per recipient", async () => {
    const c = await RawSmtpClient.open(port);
    const rcpt = await c.envelope("x@sender.example", ["ALICE@EXAMPLE.test", "bob@Other.Test"]);
    assert.deepEqual(
      rcpt.map((r) => r.code),
      [250, 250],
    );
    await c.data("From: x@sender.example\r\nSubject: both\r\n\r\nhello\r\n");
    assert.equal((await c.reply()).code, 250);
    await c.close();
    assert.deepEqual(gateway.received.map((d) => [d.userId, d.to]).sort(), [
      ["u-alice", { scheme: "mailto", email: "alice@example.test" }],
      ["u-bob", { scheme: "mailto", email: "bob@other.test" }],
    ]);
    // Both drafts are one message: the same Message-ID, generated since the mail had none.
    const ids = gateway.received.map((d) => d.nativeRefs[0]?.id);
    assert.equal(ids[0], ids[1]);
    assert.match(ids[0] ?? "", /^[0-9a-f-]{36}@example\.test$/);
  });

  it("refuses a domain that is not ours with 550 5.7.1 (no open relay)", async () => {
    const c = await RawSmtpClient.open(port);
    const [r] = await c.envelope("x@sender.example", ["alice@elsewhere.test"]);
    assert.equal(r?.code, 550);
    assert.match(r?.text ?? "", /5\.7\.1 relaying denied/);
    // A subdomain of ours is not ours.
    const sub = await c.command("RCPT TO:<alice@mail.example.test>");
    assert.equal(sub.code, 550);
    await c.close();
    assert.equal(gateway.calls, 0);
  });

  it("refuses an unknown user at a known domain with 550 5.1.1", async () => {
    const t = transport();
    await assert.rejects(
      t.sendMail({ from: "x@sender.example", to: "nobody@example.test", text: "hi" }),
      (err: { responseCode?: number; message: string }) => {
        assert.equal(err.responseCode, 550);
        assert.match(err.message, /5\.1\.1 no such user/);
        return true;
      },
    );
    t.close();
    assert.equal(gateway.calls, 0);
  });

  it("limits recipients per message with 452", async () => {
    const c = await RawSmtpClient.open(port);
    const rcpt = await c.envelope("x@sender.example", [
      "alice@example.test",
      "bob@other.test",
      "ALICE@example.test",
    ]);
    assert.deepEqual(
      rcpt.map((r) => r.code),
      [250, 250, 250],
    );
    gateway.users.set("carol@example.test", "u-carol");
    gateway.users.set("dave@example.test", "u-dave");
    assert.equal((await c.command("RCPT TO:<carol@example.test>")).code, 250);
    assert.equal((await c.command("RCPT TO:<dave@example.test>")).code, 452);
    await c.close();
  });

  it("answers 552 to an oversized message, never calls the gateway and keeps serving", async () => {
    const c = await RawSmtpClient.open(port);
    await c.envelope("x@sender.example", ["alice@example.test"]);
    const big = `Subject: big\r\n\r\n${"0123456789abcdef\r\n".repeat(600)}`;
    await c.data(big);
    const r = await c.reply();
    assert.equal(r.code, 552);
    assert.equal(gateway.calls, 0);
    // The same connection takes the next message.
    await c.command("MAIL FROM:<x@sender.example>");
    await c.command("RCPT TO:<alice@example.test>");
    await c.data("Subject: small\r\n\r\nfits\r\n");
    assert.equal((await c.reply()).code, 250);
    await c.close();
    assert.equal(only(gateway).subject, "small");
  });

  it("advertises SIZE and refuses a declared size over the limit at MAIL FROM", async () => {
    const c = await RawSmtpClient.open(port);
    const ehlo = await c.command("EHLO client.test");
    assert.match(ehlo.text, /^SIZE 4096$/m);
    assert.doesNotMatch(ehlo.text, /AUTH|STARTTLS/);
    const r = await c.command("MAIL FROM:<x@sender.example> SIZE=999999");
    assert.equal(r.code, 552);
    await c.close();
  });

  it("delivers broken MIME as text with a warning", async () => {
    const c = await RawSmtpClient.open(port);
    await c.envelope("junk@sender.example", ["alice@example.test"]);
    await c.data(
      Buffer.from("\u0000\xff\xfe not a mail at all\r\nmore junk: \xc3\x28\r\n", "latin1"),
    );
    assert.equal((await c.reply()).code, 250);
    await c.close();
    const draft = only(gateway);
    assert.match(draft.body.text, /not a mail at all/);
    assert.ok(draft.body.text.includes("\uFFFD"), "invalid UTF-8 becomes U+FFFD");
    assert.ok(!draft.body.text.includes("\u0000"));
    assert.equal(draft.warnings.length, 1);
    assert.match(draft.warnings[0] ?? "", /^malformed MIME: /);
    assert.deepEqual(draft.from, { scheme: "mailto", email: "junk@sender.example" });
  });

  it("derives text from HTML-only mail and counts attachments it does not carry", async () => {
    const t = transport();
    await t.sendMail({
      from: "x@sender.example",
      to: "alice@example.test",
      subject: "report",
      html: "<h1>Report</h1><p>See <a href='https://example.org/r'>the file</a>.</p>",
      attachments: [
        { filename: "a.txt", content: "aaa" },
        { filename: "b.bin", content: Buffer.from([1, 2, 3]) },
      ],
    });
    t.close();
    const draft = only(gateway);
    assert.match(draft.body.text, /REPORT/);
    assert.match(draft.body.text, /the file \[https:\/\/example\.org\/r\]/);
    assert.match(draft.body.text, /\[2 attachments not carried\]$/);
    assert.doesNotMatch(draft.body.text, /<p>/);
    assert.match(draft.body.html ?? "", /<h1>Report<\/h1>/);
  });

  it("marks mail that omnivox sent and that came back as looped", async () => {
    const t = transport();
    await t.sendMail({
      from: "omnivox@example.test",
      to: "alice@example.test",
      text: "forwarded back",
      messageId: "<c-42@example.test>",
      headers: { "X-Omnivox-Communication": "c-42" },
    });
    t.close();
    const draft = only(gateway);
    assert.deepEqual(draft.nativeRefs, [
      { system: "email", id: "c-42@example.test" },
      { system: "email", id: `${LOOP_REF_PREFIX}c-42` },
    ]);
    assert.equal(loopedFrom(draft.nativeRefs), "c-42");
    assert.ok(draft.warnings.some((w) => w.startsWith("looped")));
  });

  it("answers 451 when the gateway cannot store the message", async () => {
    gateway.fail = true;
    const c = await RawSmtpClient.open(port);
    await c.envelope("x@sender.example", ["alice@example.test"]);
    await c.data("Subject: x\r\n\r\nbody\r\n");
    const r = await c.reply();
    await c.close();
    assert.equal(r.code, 451);
    assert.equal(gateway.calls, 1);
  });

  it("answers 451 at RCPT when the user lookup fails", async () => {
    const original = gateway.resolveUser;
    gateway.resolveUser = () => Promise.reject(new Error("store unavailable"));
    try {
      const c = await RawSmtpClient.open(port);
      const [r] = await c.envelope("x@sender.example", ["alice@example.test"]);
      await c.close();
      assert.equal(r?.code, 451);
    } finally {
      gateway.resolveUser = original;
    }
  });

  it("answers 250 only after the gateway has the message", async () => {
    let release!: () => void;
    gateway.hold = new Promise((resolve) => {
      release = resolve;
    });
    const called = new Promise<void>((resolve) => {
      gateway.onReceive = resolve;
    });
    const c = await RawSmtpClient.open(port);
    await c.envelope("x@sender.example", ["alice@example.test"]);
    await c.data("Subject: wait\r\n\r\nbody\r\n");
    await called;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(c.hasPending, false, "no reply while receive is pending");
    release();
    assert.equal((await c.reply()).code, 250);
    await c.close();
    assert.equal(only(gateway).subject, "wait");
  });
});

describe("smtp in: stop", () => {
  it("lets a message in DATA finish, then refuses new connections", async () => {
    const gateway = new FakeGateway();
    const server = createSmtpIn({
      listen: { host: "127.0.0.1", port: 0 },
      domains: ["example.test"],
      maxMessageBytes: 4096,
      gateway,
      logger,
    });
    const { port } = await server.start();
    let release!: () => void;
    gateway.hold = new Promise((resolve) => {
      release = resolve;
    });
    const called = new Promise<void>((resolve) => {
      gateway.onReceive = resolve;
    });
    const c = await RawSmtpClient.open(port);
    await c.envelope("x@sender.example", ["alice@example.test"]);
    await c.data("Subject: last\r\n\r\nbody\r\n");
    await called;
    let stopped = false;
    const stopping = server.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(stopped, false, "stop waits for the message in DATA");
    release();
    assert.equal((await c.reply()).code, 250);
    await stopping;
    await c.close();
    await assert.rejects(RawSmtpClient.open(port));
    assert.equal(gateway.received.length, 1);
  });
});

describe("smtp in: connection limits", () => {
  const gateway = new FakeGateway();
  let server: SmtpInServer;
  let port: number;

  before(async () => {
    server = createSmtpIn({
      listen: { host: "127.0.0.1", port: 0 },
      domains: ["example.test"],
      maxMessageBytes: 4096,
      maxConnectionsPerSource: 3,
      socketTimeoutMs: 1500,
      maxSessionMs: 2500,
      dataTimeoutMs: 1000,
      gateway,
      logger,
    });
    ({ port } = await server.start());
  });
  after(() => server.stop());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("refuses a source over its cap with 421 while another source is served", async () => {
    const held = await Promise.all([1, 2, 3].map(() => RawSmtpClient.open(port, "127.0.0.1")));
    const refused = await RawSmtpClient.connect(port, "127.0.0.1");
    const reply = await refused.reply();
    assert.equal(reply.code, 421);
    assert.match(reply.text, /too many connections from 127\.0\.0\.1/);
    await refused.closed();

    // Another source still gets its mail through.
    const other = await RawSmtpClient.open(port, "127.0.0.2");
    await other.envelope("x@sender.example", ["alice@example.test"]);
    await other.data("Subject: from elsewhere\r\n\r\nstill served\r\n");
    assert.equal((await other.reply()).code, 250);
    await other.close();
    assert.ok(gateway.received.some((d) => d.subject === "from elsewhere"));

    // Idle sessions are cut by the idle timeout, and the source may connect again.
    await Promise.all(held.map((c) => c.closed()));
    const again = await RawSmtpClient.open(port, "127.0.0.1");
    await again.close();
  });

  it("ends a session kept alive by NOOPs when its total time is up", async () => {
    const c = await RawSmtpClient.open(port, "127.0.0.3");
    const started = Date.now();
    let last = { code: 0, text: "" };
    // Each NOOP comes well inside the idle timeout; only the session limit can end this.
    while (Date.now() - started < 10_000) {
      c.write("NOOP\r\n");
      last = await c.reply().catch(() => ({ code: -1, text: "closed" }));
      if (last.code !== 250) break;
      await sleep(300);
    }
    assert.equal(last.code, 421, last.text);
    assert.match(last.text, /session time limit/);
    await c.closed();
  });

  it("ends a DATA that trickles in past its timeout, and stores nothing", async () => {
    const before = gateway.received.length;
    const c = await RawSmtpClient.open(port, "127.0.0.4");
    await c.envelope("x@sender.example", ["alice@example.test"]);
    assert.equal((await c.command("DATA")).code, 354);
    c.write("Subject: slow\r\n\r\n");
    let reply = { code: 0, text: "" };
    const started = Date.now();
    while (Date.now() - started < 10_000 && !c.hasPending) {
      c.write("x");
      await sleep(200);
    }
    reply = await c.reply();
    assert.equal(reply.code, 421);
    assert.match(reply.text, /timeout waiting for the end of the message/);
    await c.closed();
    assert.equal(gateway.received.length, before);
  });
});
