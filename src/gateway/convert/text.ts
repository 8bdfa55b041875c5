// Text → text conversion (docs/architecture.md "Systems and conversions"): HTML to plain text, a
// subject where the source had none, and, for chat targets, the quoted history and signature
// stripped from mail.

import { convert as htmlToText } from "html-to-text";
import { displayAddress } from "../../core/address.ts";
import type { TextCommunication } from "../../core/communication.ts";
import { htmlNestingDepth, stripHtml } from "../../core/html-text.ts";
import type { Profile } from "../../core/profile.ts";
import type { TextRendition } from "../../core/rendition.ts";

const SUBJECT_MAX = 78;

/**
 * html-to-text runs on the event loop here (received mail is converted in the email adapter's
 * worker threads already); past these bounds the linear stripper of core/html-text.ts does it.
 */
const INLINE_HTML_MAX_CHARS = 64 * 1024;
const INLINE_HTML_MAX_DEPTH = 64;

export function plainText(body: { text: string; html?: string }): string {
  if (body.text.trim() !== "" || !body.html) return body.text;
  const html = body.html;
  if (
    html.length > INLINE_HTML_MAX_CHARS ||
    htmlNestingDepth(html, INLINE_HTML_MAX_DEPTH + 1) > INLINE_HTML_MAX_DEPTH
  ) {
    return stripHtml(html);
  }
  return htmlToText(html, {
    wordwrap: false,
    selectors: [{ selector: "img", format: "skip" }],
  });
}

/**
 * Drops what a chat line should not carry: the signature after "-- " (RFC 3676 §4.3), quoted
 * lines ("> …") and the attribution line that introduces them ("On … wrote:").
 */
export function stripQuotesAndSignature(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const sig = lines.findIndex((l) => l === "-- " || l === "--");
  const kept = (sig >= 0 ? lines.slice(0, sig) : lines).filter((l) => !/^\s*>/.test(l));
  while (kept.length > 0 && /^\s*$/.test(kept[kept.length - 1] ?? "")) kept.pop();
  const last = kept[kept.length - 1] ?? "";
  if (/^(On|Am|Le) .+(wrote|schrieb|a écrit)\s*:\s*$/.test(last)) kept.pop();
  while (kept.length > 0 && /^\s*$/.test(kept[kept.length - 1] ?? "")) kept.pop();
  const result = kept.join("\n").trim();
  return result === "" ? text.trim() : result;
}

/** A subject for sources that have none (chat): the first line, shortened at a word boundary. */
export function subjectFromText(text: string, fallback: string): string {
  const first =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  if (first === "") return fallback;
  if (first.length <= SUBJECT_MAX) return first;
  const cut = first.slice(0, SUBJECT_MAX - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

export type TextStyle = "mail" | "chat";

export function textToText(
  c: TextCommunication,
  profile: Profile,
  style: TextStyle,
): TextRendition {
  const full = plainText(c.body);
  const text = style === "chat" ? stripQuotesAndSignature(full) : full;
  const sender =
    c.direction === "outbound"
      ? { name: profile.displayName, email: profile.emails[0] }
      : undefined;
  const from = sender ? sender.name : displayAddress(c.from);
  const rendition: TextRendition = {
    medium: "text",
    subject: c.subject?.trim() || subjectFromText(full, `Message from ${from}`),
    text,
    from,
    notes: [...c.warnings],
  };
  if (style === "mail" && c.body.html) rendition.html = c.body.html;
  if (sender) rendition.sender = sender;
  return rendition;
}
