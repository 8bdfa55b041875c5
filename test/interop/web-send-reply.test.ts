// A web-client `send` to bob@elsewhere reaches a real SMTP sink with correct
// headers; bob's reply (sent with swaks) reaches alice's web client in the same thread, and her
// answer to it carries In-Reply-To and References.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { swaks } from "../support/swaks.ts";
import { connectWebClient } from "../support/web-client.ts";

const swaksBin = peer("swaks", "swaks");
let sink: SmtpSink;
let t: TestApp;

before(async () => {
  if (swaksBin.skip) return;
  sink = await startSmtpSink();
  t = await startTestApp({ smtpOutPort: sink.port });
  await t.addUser({
    id: "alice",
    displayName: "Alice Liddell",
    emails: ["alice@example.com"],
    password: "wonderland",
  });
});

after(async () => {
  await t?.stop();
  await sink?.close();
});

test("send to email, reply comes back in the same thread", { skip: swaksBin.skip }, async () => {
  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    client.send({
      type: "send",
      to: "mailto:bob@elsewhere.net",
      subject: "Lunch",
      text: "Free at noon?",
      requestId: "r1",
    });
    const sent = await client.waitFor((e) => e.type === "sent" && e.requestId === "r1");
    const communicationId = String(sent.communicationId);

    const [mail] = await sink.waitFor(1);
    assert.ok(mail);
    assert.deepEqual(mail.to, ["bob@elsewhere.net"]);
    assert.equal(mail.parsed.from?.value[0]?.address, "alice@example.com");
    assert.equal(mail.parsed.from?.value[0]?.name, "Alice Liddell");
    assert.equal(mail.parsed.subject, "Lunch");
    assert.match(mail.parsed.text ?? "", /Free at noon\?/);
    assert.equal(mail.parsed.messageId, `<${communicationId}@example.com>`);
    assert.equal(mail.parsed.headers.get("x-omnivox-communication"), communicationId);

    // Bob answers from his mail client.
    const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
      "--from",
      "bob@elsewhere.net",
      "--to",
      "alice@example.com",
      "--header",
      "Subject: Re: Lunch",
      "--header",
      `In-Reply-To: ${mail.parsed.messageId}`,
      "--header",
      `References: ${mail.parsed.messageId}`,
      "--header",
      "Message-ID: <reply-1@elsewhere.net>",
      "--body",
      "Yes, see you there.\n\nOn Sunday Alice wrote:\n> Free at noon?",
    ]);
    assert.equal(res.code, 0, res.output);
    const reply = await client.waitFor((e) => e.type === "message" && e.subject === "Re: Lunch");
    assert.equal(reply.threadId, sent.threadId, "the reply continues alice's thread");
    assert.equal(reply.text, "Yes, see you there.", "quoted history is stripped for chat");

    // Alice answers in the thread: the mail carries In-Reply-To and the whole References chain.
    client.send({
      type: "send",
      to: "mailto:bob@elsewhere.net",
      text: "Great.",
      inReplyTo: reply.communicationId,
      requestId: "r2",
    });
    const sent2 = await client.waitFor((e) => e.type === "sent" && e.requestId === "r2");
    assert.equal(sent2.threadId, sent.threadId);
    const mails = await sink.waitFor(2);
    const second = mails[1]!;
    assert.equal(second.parsed.inReplyTo, "<reply-1@elsewhere.net>");
    const refs = ([] as string[]).concat(second.parsed.references ?? []);
    assert.deepEqual(refs, [`<${communicationId}@example.com>`, "<reply-1@elsewhere.net>"]);
  } finally {
    await client.close();
  }
});

test("a bad address in send is an error frame naming it; the connection stays up", {
  skip: swaksBin.skip,
}, async () => {
  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    client.send({ type: "send", to: "bob-at-nowhere", text: "x", requestId: "bad" });
    const err = await client.waitFor((e) => e.type === "error" && e.requestId === "bad");
    assert.match(String(err.message), /bob-at-nowhere/);
    client.socket.send("not json at all");
    await client.waitFor((e) => e.type === "error" && e.requestId === undefined);
    client.send({
      type: "send",
      to: "mailto:ok@elsewhere.net",
      text: "still here",
      requestId: "ok",
    });
    await client.waitFor((e) => e.type === "sent" && e.requestId === "ok");
  } finally {
    await client.close();
  }
});
