import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import type { AddressObject } from "mailparser";
import { pino } from "pino";
import { type SmtpSink, startSmtpSink } from "../../../test/support/smtp-sink.ts";
import type { EmailCommunication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { DeliveryTarget } from "../../core/ports.ts";
import type { TextRendition } from "../../core/rendition.ts";
import { EmailAdapter } from "./smtp-out.ts";

const logger = pino({ level: "silent" });

function communication(overrides: Partial<EmailCommunication> = {}): EmailCommunication {
  return {
    id: "c-123",
    kind: "email",
    userId: "u-alice",
    direction: "outbound",
    from: { scheme: "mailto", email: "alice@example.test", name: "Alice Example" },
    to: { scheme: "mailto", email: "carol@sender.example" },
    subject: "Re: Lunch?",
    receivedAt: new Date("2024-05-01T12:00:00Z"),
    thread: { threadId: "c-100" },
    nativeRefs: [],
    warnings: [],
    body: { text: "Yes, noon." },
    ...overrides,
  };
}

const rendition: TextRendition = {
  medium: "text",
  subject: "Re: Lunch?",
  text: "Yes, noon.",
  html: "<p>Yes, <i>noon</i>.</p>",
  from: "Alice Example <alice@example.test>",
  notes: [],
};

const target: DeliveryTarget = {
  deliveryId: "d-1",
  address: { scheme: "mailto", email: "carol@sender.example" },
  attempt: 1,
  references: ["root@sender.example", "m1@sender.example"],
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const addr = s.address();
  await new Promise((resolve) => s.close(resolve));
  assert.ok(addr && typeof addr === "object");
  return addr.port;
}

describe("smtp out", () => {
  let sink: SmtpSink;
  let adapter: EmailAdapter;

  before(async () => {
    sink = await startSmtpSink();
    const port = sink.port;
    adapter = new EmailAdapter({
      host: "127.0.0.1",
      port,
      secure: false,
      fromDomain: "example.test",
      logger,
    });
    await adapter.start();
  });
  after(async () => {
    await adapter.stop();
    await sink.close();
  });
  beforeEach(() => {
    sink.reset();
  });

  it("handles mailto: addresses only", () => {
    assert.equal(adapter.name, "email");
    assert.equal(adapter.handles({ scheme: "mailto", email: "a@b.test" }), true);
    assert.equal(adapter.handles({ scheme: "tel", number: "+15551234" }), false);
    assert.equal(adapter.handles({ scheme: "xmpp", jid: "a@b.test" }), false);
  });

  it("sends the user's mail as the user, threaded, and returns the Message-ID", async () => {
    const id = await adapter.send(communication(), rendition, target);
    assert.equal(id, "c-123@example.test");
    assert.equal(sink.mails.length, 1);
    const { from, to, parsed } = sink.mails[0]!;
    assert.deepEqual({ from, to }, { from: "alice@example.test", to: ["carol@sender.example"] });
    assert.deepEqual(parsed.from?.value, [
      { address: "alice@example.test", name: "Alice Example" },
    ]);
    assert.equal((parsed.to as AddressObject).text, "carol@sender.example");
    assert.equal(parsed.subject, "Re: Lunch?");
    assert.equal(parsed.messageId, "<c-123@example.test>");
    assert.equal(parsed.inReplyTo, "<m1@sender.example>");
    assert.deepEqual(parsed.references, ["<root@sender.example>", "<m1@sender.example>"]);
    assert.equal(parsed.headers.get("x-omnivox-communication"), "c-123");
    assert.equal(parsed.text?.trim(), "Yes, noon.");
    assert.match(String(parsed.html), /<i>noon<\/i>/);
    assert.equal(parsed.replyTo, undefined);
    assert.equal(parsed.date?.toISOString(), "2024-05-01T12:00:00.000Z");
  });

  it("sends others' communications as omnivox on their behalf, with Reply-To when they have email", async () => {
    const inbound = communication({
      direction: "inbound",
      from: { scheme: "mailto", email: "carol@sender.example", name: "Carol" },
      to: { scheme: "mailto", email: "alice@example.test" },
    });
    const r = { ...rendition, from: "Carol <carol@sender.example>" };
    await adapter.send(inbound, r, {
      ...target,
      address: { scheme: "mailto", email: "alice@home.test" },
    });
    const { parsed } = sink.mails[0]!;
    assert.deepEqual(parsed.from?.value, [
      { address: "omnivox@example.test", name: "Carol via omnivox" },
    ]);
    assert.deepEqual(parsed.replyTo?.value, [{ address: "carol@sender.example", name: "Carol" }]);
    assert.equal((parsed.to as AddressObject).text, "alice@home.test");
  });

  it("leaves threading headers out when there is nothing to answer", async () => {
    await adapter.send(communication(), rendition, { ...target, references: [] });
    const { parsed } = sink.mails[0]!;
    assert.equal(parsed.inReplyTo, undefined);
    assert.equal(parsed.references, undefined);
  });

  it("refuses a voice rendition as a permanent failure without sending", async () => {
    await assert.rejects(
      adapter.send(
        communication(),
        { medium: "voice", audioId: "a1", durationMs: 1000, notes: [] },
        target,
      ),
      (err: unknown) => err instanceof DeliveryError && err.permanent,
    );
    assert.equal(sink.mails.length, 0);
  });

  it("maps a 550 from the relay to a permanent DeliveryError", async () => {
    sink.refuseRcpt({ code: 550, text: "5.1.1 mailbox unknown" });
    await assert.rejects(adapter.send(communication(), rendition, target), (err: unknown) => {
      assert.ok(err instanceof DeliveryError);
      assert.equal(err.permanent, true);
      assert.match(err.message, /550/);
      return true;
    });
  });

  it("maps a 451 from the relay to a temporary DeliveryError", async () => {
    sink.refuseData({ code: 451, text: "4.3.0 try later" });
    await assert.rejects(adapter.send(communication(), rendition, target), (err: unknown) => {
      assert.ok(err instanceof DeliveryError);
      assert.equal(err.permanent, false);
      assert.match(err.message, /451/);
      return true;
    });
    // The pool recovers: the next mail goes through.
    sink.refuseData(undefined);
    assert.equal(await adapter.send(communication(), rendition, target), "c-123@example.test");
  });
});

describe("smtp out: relay down", () => {
  it("maps a refused connection to a temporary DeliveryError", async () => {
    const adapter = new EmailAdapter({
      host: "127.0.0.1",
      port: await freePort(),
      secure: false,
      fromDomain: "example.test",
      logger,
    });
    try {
      await assert.rejects(adapter.send(communication(), rendition, target), (err: unknown) => {
        assert.ok(err instanceof DeliveryError);
        assert.equal(err.permanent, false);
        return true;
      });
    } finally {
      await adapter.stop();
    }
  });
});
