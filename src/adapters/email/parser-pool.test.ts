import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, describe, it } from "node:test";
import pino from "pino";
import { parseMail } from "./parse-mail.ts";
import { createMailParser, INLINE_PARSE_MAX_BYTES } from "./parser-pool.ts";

const logger = pino({ level: "silent" });

function htmlMail(html: string): Buffer {
  return Buffer.from(
    [
      "From: Dee <dee@example.org>",
      "To: alice@example.test",
      "Subject: html",
      "Message-ID: <h1@example.org>",
      "Content-Type: text/html; charset=utf-8",
      "",
      html,
      "",
    ].join("\r\n"),
  );
}

const nested = (n: number) =>
  `<html><body>${"<div>".repeat(n)}deep text${"</div>".repeat(n)}</body></html>`;

function plainMail(body: string, extra: string[] = []): Buffer {
  return Buffer.from(
    [
      "From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>",
      "To: alice@example.test",
      "Subject: =?utf-8?b?w6l0w6k=?=",
      "Message-ID: <p1@example.org>",
      ...extra,
      "",
      body,
      "",
    ].join("\r\n"),
  );
}

describe("small mail without parts or HTML", () => {
  it("is parsed in place, as a thread would, without starting one", async () => {
    const parser = createMailParser({ logger, workers: 1 });
    try {
      const raws = [
        plainMail("Lunch at noon?"),
        plainMail("caf=C3=A9 cr=C3=A8me", [
          "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: quoted-printable",
        ]),
        plainMail(Buffer.from("déjà vu").toString("base64"), [
          "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: base64",
        ]),
      ];
      for (const raw of raws) assert.deepEqual(await parser.parse(raw), await parseMail(raw));
      assert.equal((await parser.parse(raws[1]!)).text.trim(), "café crème");
      assert.equal(parser.threads(), 0, "a thread was started for a small plain message");
    } finally {
      await parser.close();
    }
  });

  it("parts, HTML, or more than 4 KiB go to a thread", async () => {
    const multipart = plainMail(
      ["--b", "Content-Type: text/plain", "", "one", "--b--"].join("\r\n"),
      ['Content-Type: multipart/mixed; boundary="b"'],
    );
    const large = plainMail("x".repeat(INLINE_PARSE_MAX_BYTES));
    for (const raw of [multipart, htmlMail("<p>hi</p>"), large]) {
      const parser = createMailParser({ logger, workers: 1 });
      try {
        assert.deepEqual(await parser.parse(raw), await parseMail(raw));
        assert.equal(parser.threads(), 1, "parsed without a thread");
      } finally {
        await parser.close();
      }
    }
  });
});

describe("mail parser pool", () => {
  const parser = createMailParser({ logger, workers: 2 });
  after(() => parser.close());

  it("parses in a thread exactly as in-process parsing does", async () => {
    const raw = htmlMail("<h1>Hi</h1><p>First <b>bold</b> line</p><ul><li>one</li></ul>");
    const mail = await parser.parse(raw);
    assert.deepEqual(mail, await parseMail(raw));
    assert.match(mail.text, /HI/);
    assert.match(mail.text, /First bold line/);
    assert.ok(mail.html?.includes("<h1>"), "a converted message keeps its HTML");
    assert.deepEqual(mail.warnings, []);
  });

  it("stores 300,000 nested elements as stripped text with a warning, loop unblocked", async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const mail = await parser.parse(htmlMail(nested(300_000)));
    delay.disable();
    assert.equal(mail.text, "deep text");
    assert.equal(mail.html, undefined, "the HTML that was not converted is not kept");
    assert.equal(mail.subject, "html");
    assert.equal(mail.messageId, "h1@example.org");
    assert.match(mail.warnings.join("\n"), /plain text.*nested deeper than 256/);
    // Generous: only a main-thread conversion (a minute or more) could come near it.
    assert.ok(delay.max / 1e6 < 1000, `event loop delayed ${delay.max / 1e6} ms`);
  });

  it("terminates a conversion over its budget and keeps the stripped text", async () => {
    // Limits out of the way: html-to-text runs on 100,000 nested divs for many seconds.
    const slow = createMailParser({
      logger,
      workers: 1,
      budgetMs: 3000,
      maxHtmlDepth: 1_000_000,
      maxHtmlBytes: 100 * 1024 * 1024,
    });
    try {
      const mail = await slow.parse(htmlMail(nested(100_000)));
      assert.equal(mail.text, "deep text");
      assert.equal(mail.html, undefined);
      assert.match(mail.warnings.join("\n"), /took longer than 3000 ms/);
      // The terminated thread is replaced: the next message is converted normally.
      const next = await slow.parse(htmlMail("<p>after</p>"));
      assert.equal(next.text.trim(), "after");
      assert.deepEqual(next.warnings, []);
    } finally {
      await slow.close();
    }
  });

  it("keeps malformed input as raw text, as in-process parsing does", async () => {
    const raw = Buffer.from("just some bytes without headers");
    assert.deepEqual(await parser.parse(raw), await parseMail(raw));
  });

  it("answers every message after close, as raw text", async () => {
    const closed = createMailParser({ logger, workers: 1 });
    const pending = closed.parse(htmlMail("<p>x</p>"));
    await closed.close();
    const mail = await pending;
    assert.match(mail.warnings.join("\n"), /parser closed/);
    assert.match((await closed.parse(Buffer.from("x"))).warnings[0] ?? "", /parser closed/);
  });
});
