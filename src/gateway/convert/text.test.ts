import assert from "node:assert/strict";
import { test } from "node:test";
import type { TextCommunication } from "../../core/communication.ts";
import { defaultProfile } from "../../core/profile.ts";
import { plainText, stripQuotesAndSignature, subjectFromText, textToText } from "./text.ts";

const profile = { ...defaultProfile("alice", "Alice Liddell"), emails: ["alice@example.com"] };

function comm(over: Partial<TextCommunication>): TextCommunication {
  return {
    id: "c",
    kind: "email",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net", name: "Bob" },
    to: { scheme: "mailto", email: "alice@example.com" },
    receivedAt: new Date(),
    thread: { threadId: "c" },
    nativeRefs: [],
    warnings: [],
    body: { text: "" },
    ...over,
  } as TextCommunication;
}

test("HTML-only mail becomes plain text", () => {
  const text = plainText({ text: "", html: "<p>Hello <b>there</b></p><p>Second</p>" });
  assert.match(text, /Hello there/);
  assert.match(text, /Second/);
  assert.doesNotMatch(text, /<|>/);
});

test("HTML too deep or too large for an inline conversion has its tags stripped instead", () => {
  const deep = `${"<div>".repeat(100_000)}deep${"</div>".repeat(100_000)}`;
  assert.equal(plainText({ text: "", html: deep }), "deep");
  const large = `<p>${"word ".repeat(20_000)}</p><p>end &amp; done</p>`;
  const text = plainText({ text: " ", html: large });
  assert.match(text, /word word/);
  assert.match(text, /end & done$/);
});

test("quoted history, attribution and signature are stripped for chat", () => {
  const mailText = "Sounds good.\n\nOn Mon, Bob wrote:\n> earlier text\n> more\n\n-- \nAlice\nCEO";
  assert.equal(stripQuotesAndSignature(mailText), "Sounds good.");
  // A message that is only a quote keeps its text rather than becoming empty.
  assert.equal(stripQuotesAndSignature("> only a quote"), "> only a quote");
});

test("chat text gets a subject from its first line, shortened at a word", () => {
  assert.equal(subjectFromText("\n  Call me back\nplease", "x"), "Call me back");
  const long = subjectFromText("word ".repeat(40), "x");
  assert.ok(long.length <= 78 && long.endsWith("…"));
  assert.equal(subjectFromText("   ", "fallback"), "fallback");
});

test("mail rendition keeps HTML; chat rendition strips quotes; warnings become notes", () => {
  const c = comm({
    subject: " Invoice ",
    body: { text: "Pay.\n> old", html: "<p>Pay.</p>" },
    warnings: ["malformed MIME"],
  });
  const mail = textToText(c, profile, "mail");
  assert.equal(mail.subject, "Invoice");
  assert.equal(mail.html, "<p>Pay.</p>");
  assert.equal(mail.from, "Bob <bob@example.net>");
  assert.deepEqual(mail.notes, ["malformed MIME"]);
  const chat = textToText(c, profile, "chat");
  assert.equal(chat.text, "Pay.");
  assert.equal(chat.html, undefined);
});

test("an outbound message carries the user's own name and address as sender", () => {
  const c = comm({
    kind: "im",
    direction: "outbound",
    from: { scheme: "web", userId: "alice", clientId: "web" },
    to: { scheme: "mailto", email: "bob@elsewhere.net" },
    body: { text: "Lunch tomorrow?" },
  });
  const r = textToText(c, profile, "mail");
  assert.deepEqual(r.sender, { name: "Alice Liddell", email: "alice@example.com" });
  assert.equal(r.subject, "Lunch tomorrow?");
});
