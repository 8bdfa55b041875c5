import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDrafts } from "./drafts.ts";
import { MAX_FALLBACK_TEXT_BYTES, parseMail, stripBrackets } from "./parse-mail.ts";

const mail = (lines: string[]) => Buffer.from(lines.join("\r\n"), "utf8");

describe("parseMail", () => {
  it("reads sender, subject, body and threading ids", async () => {
    const m = await parseMail(
      mail([
        'From: "Dee Q" <Dee@Example.ORG>',
        "Subject: =?UTF-8?Q?caf=C3=A9?=",
        "Message-ID: <abc@example.org>",
        "References: <r1@x> <r2@x>",
        "In-Reply-To: <r2@x>",
        "",
        "body text",
        "",
      ]),
    );
    assert.deepEqual(m.from, { email: "dee@example.org", name: "Dee Q" });
    assert.equal(m.subject, "café");
    assert.equal(m.text.trim(), "body text");
    assert.equal(m.html, undefined);
    assert.equal(m.messageId, "abc@example.org");
    assert.deepEqual(m.replyTo, ["r1@x", "r2@x"]);
    assert.deepEqual(m.warnings, []);
  });

  it("puts In-Reply-To last even when References lacks it", async () => {
    const m = await parseMail(
      mail(["From: a@b.test", "In-Reply-To: <p@x>", "References: <p@x> <o@x>", "", "x"]),
    );
    assert.deepEqual(m.replyTo, ["o@x", "p@x"]);
  });

  it("keeps a message with headers but an empty body as a message", async () => {
    const m = await parseMail(mail(["From: a@b.test", "Subject: only a subject", "", ""]));
    assert.equal(m.subject, "only a subject");
    assert.equal(m.text, "");
    assert.deepEqual(m.warnings, []);
  });

  it("falls back to raw text for input that is not a message, bounded", async () => {
    const raw = Buffer.concat([
      Buffer.from("junk\u0000line\n"),
      Buffer.alloc(MAX_FALLBACK_TEXT_BYTES, 0x41),
    ]);
    const m = await parseMail(raw);
    assert.match(m.warnings[0] ?? "", /^malformed MIME: /);
    assert.ok(m.text.startsWith("junkline\n"), "NUL removed");
    assert.ok(m.text.endsWith("[truncated]"));
    assert.ok(m.text.length <= MAX_FALLBACK_TEXT_BYTES + 20);
    assert.equal(m.from, undefined);
  });

  it("strips the tags of HTML over the conversion limits instead of converting it", async () => {
    const html = `<div><p>${"many words ".repeat(20)}</p><p>end &amp; done</p></div>`;
    const raw = mail(["From: a@b.test", "Content-Type: text/html", "", html, ""]);
    const converted = await parseMail(raw);
    assert.ok(converted.html, "within the limits: converted, HTML kept");
    assert.deepEqual(converted.warnings, []);
    const stripped = await parseMail(raw, { maxHtmlBytes: 100, maxHtmlDepth: 256 });
    assert.match(stripped.text, /many words many words/);
    assert.match(stripped.text, /end & done$/);
    assert.equal(stripped.html, undefined);
    assert.match(
      stripped.warnings[0] ?? "",
      /tags stripped: HTML of \d+ bytes is over the 100-byte/,
    );
    const deep = await parseMail(raw, { maxHtmlBytes: 1e6, maxHtmlDepth: 0 });
    assert.match(deep.warnings[0] ?? "", /nested deeper than 0 elements/);
  });

  it("strips NUL from parsed text", async () => {
    const m = await parseMail(
      mail(["From: a@b.test", "Content-Transfer-Encoding: quoted-printable", "", "a=00b", ""]),
    );
    assert.equal(m.text.trim(), "ab");
  });

  it("ignores a broken Message-ID", () => {
    assert.equal(stripBrackets("<a b@c>"), undefined);
    assert.equal(stripBrackets("<>"), undefined);
    assert.equal(stripBrackets(" <x@y> "), "x@y");
  });
});

describe("buildDrafts", () => {
  const recipients = [{ email: "alice@example.test", userId: "u1" }];

  it("falls back to the envelope sender, then to a placeholder with a warning", async () => {
    const m = await parseMail(mail(["Subject: no from", "", "x"]));
    const [withEnvelope] = buildDrafts(m, recipients, {
      mailFrom: "Bounce@X.test",
      hostname: "h.test",
    });
    assert.deepEqual(withEnvelope?.from, { scheme: "mailto", email: "bounce@x.test" });
    assert.deepEqual(withEnvelope?.warnings, []);
    const [nullSender] = buildDrafts(m, recipients, { mailFrom: "", hostname: "h.test" });
    assert.deepEqual(nullSender?.from, { scheme: "mailto", email: "mailer-daemon@h.test" });
    assert.match(nullSender?.warnings[0] ?? "", /no sender address/);
  });

  it("gives each recipient its own draft objects", async () => {
    const m = await parseMail(mail(["From: a@b.test", "Message-ID: <m@b.test>", "", "x"]));
    const drafts = buildDrafts(
      m,
      [...recipients, { email: "bob@example.test", userId: "u2" }],
      { mailFrom: "", hostname: "h.test" },
      new Date(0),
    );
    assert.equal(drafts.length, 2);
    assert.notEqual(drafts[0]?.nativeRefs, drafts[1]?.nativeRefs);
    assert.deepEqual(drafts[0]?.nativeRefs, drafts[1]?.nativeRefs);
    assert.equal(drafts[1]?.userId, "u2");
    assert.equal(drafts[1]?.receivedAt.getTime(), 0);
  });
});
