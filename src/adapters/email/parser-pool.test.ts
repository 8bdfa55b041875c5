import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, describe, it } from "node:test";
import pino from "pino";
import { parseMail } from "./parse-mail.ts";
import { createMailParser } from "./parser-pool.ts";

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
