import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VoiceCommunication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { DeliveryTarget } from "../../core/ports.ts";
import type { TextRendition } from "../../core/rendition.ts";
import { COMMUNICATION_HEADER, composeMail, senderLabel } from "./compose.ts";

const voicemail: VoiceCommunication = {
  id: "v-9",
  kind: "voicemail",
  userId: "u-alice",
  direction: "inbound",
  from: { scheme: "tel", number: "+15551230000" },
  to: { scheme: "tel", number: "+15559990000" },
  receivedAt: new Date("2024-01-02T03:04:05Z"),
  thread: { threadId: "v-9" },
  nativeRefs: [],
  warnings: [],
  body: { audioId: "a-1", durationMs: 4000, transcript: "call me back" },
};

const rendition: TextRendition = {
  medium: "text",
  subject: "Voicemail from +15551230000",
  text: "call me back",
  from: "+15551230000",
  audioUrl: "https://omnivox.test/a/a-1",
  notes: [],
};

const target: DeliveryTarget = {
  deliveryId: "d-1",
  address: { scheme: "mailto", email: "alice@home.test", name: "Alice" },
  attempt: 1,
};

describe("composeMail", () => {
  it("sends a voicemail as omnivox, without Reply-To, with the audio link", () => {
    const { message, messageId } = composeMail(voicemail, rendition, target, "example.test");
    assert.equal(messageId, "v-9@example.test");
    assert.equal(message.messageId, "<v-9@example.test>");
    assert.deepEqual(message.from, {
      name: "+15551230000 via omnivox",
      address: "omnivox@example.test",
    });
    assert.equal(message.replyTo, undefined);
    assert.deepEqual(message.to, { name: "Alice", address: "alice@home.test" });
    assert.equal(message.text, "call me back\n\nListen: https://omnivox.test/a/a-1\n");
    assert.deepEqual(message.headers, { [COMMUNICATION_HEADER]: "v-9" });
    assert.equal(message.inReplyTo, undefined);
  });

  it("drops references that cannot be written as Message-IDs", () => {
    const { message } = composeMail(
      voicemail,
      rendition,
      { ...target, references: ["ok@x.test", "bad id@x", "<x@y>", "\r\nBcc: evil@x"] },
      "example.test",
    );
    assert.equal(message.inReplyTo, "<ok@x.test>");
    assert.deepEqual(message.references, ["<ok@x.test>"]);
  });

  it("refuses a target that is not an email address, or an id that makes no Message-ID", () => {
    const permanent = (err: unknown) => err instanceof DeliveryError && err.permanent;
    assert.throws(
      () =>
        composeMail(
          voicemail,
          rendition,
          { ...target, address: { scheme: "tel", number: "+1" } },
          "x.test",
        ),
      permanent,
    );
    assert.throws(
      () => composeMail({ ...voicemail, id: "a b" }, rendition, target, "x.test"),
      permanent,
    );
  });
});

describe("composeMail: the user's own mail", () => {
  const outbound = {
    ...voicemail,
    direction: "outbound" as const,
    from: { scheme: "web" as const, userId: "u-alice", clientId: "web" },
  };

  it("goes out from rendition.sender when the gateway set it", () => {
    const { message } = composeMail(
      outbound,
      { ...rendition, sender: { name: "Alice", email: "alice@example.test" } },
      target,
      "example.test",
    );
    assert.deepEqual(message.from, { name: "Alice", address: "alice@example.test" });
    assert.deepEqual(message.envelope, { from: "alice@example.test", to: "alice@home.test" });
    assert.equal(message.replyTo, undefined);
  });

  it("never sends as an address outside the served domains, in From or the envelope", () => {
    const domains = { from: "example.test", served: ["example.test", "corp.test"] };
    for (const email of ["ceo@bigbank.example", "alice@example.test.evil", "x@sub.example.test"]) {
      const { message } = composeMail(
        outbound,
        { ...rendition, sender: { name: "Alice", email } },
        target,
        domains,
      );
      assert.deepEqual(message.from, {
        name: "Alice via omnivox",
        address: "omnivox@example.test",
      });
      assert.deepEqual(message.envelope, { from: "omnivox@example.test", to: "alice@home.test" });
    }
    const fromMail = composeMail(
      { ...outbound, from: { scheme: "mailto", email: "ceo@bigbank.example" } },
      rendition,
      target,
      domains,
    ).message;
    assert.equal((fromMail.envelope as { from: string }).from, "omnivox@example.test");
    const served = composeMail(
      outbound,
      { ...rendition, sender: { name: "Alice", email: "alice@Corp.test" } },
      target,
      domains,
    ).message;
    assert.deepEqual(served.envelope, { from: "alice@Corp.test", to: "alice@home.test" });
  });

  it("goes out as omnivox, named after the user, when no address of theirs is known", () => {
    const { message } = composeMail(
      outbound,
      { ...rendition, sender: { name: "Alice" } },
      target,
      "example.test",
    );
    assert.deepEqual(message.from, { name: "Alice via omnivox", address: "omnivox@example.test" });
  });
});

describe("senderLabel", () => {
  it("takes the name of a name-and-address label", () => {
    assert.equal(senderLabel("Bob <bob@example.net>"), "Bob");
    assert.equal(senderLabel('"Bob B." <bob@example.net>'), "Bob B.");
    assert.equal(senderLabel("<bob@example.net>"), "bob@example.net");
    assert.equal(senderLabel("+1555"), "+1555");
    assert.equal(senderLabel("  "), "someone");
    assert.equal(senderLabel("a\r\nb"), "a b");
  });
});
