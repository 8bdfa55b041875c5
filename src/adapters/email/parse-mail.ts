// Parses one received message (RFC 5322 / MIME, RFC 2045–2049) into the parts omnivox carries.
// Broken MIME is never a reason to lose mail (docs/architecture.md "Bad input and faults"): the raw
// text is kept with a warning.

import { convert } from "html-to-text";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { htmlNestingDepth, stripHtml } from "../../core/html-text.ts";
import { lintMime } from "./mime-lint.ts";

export interface MailSender {
  email: string;
  name?: string;
}

export interface InboundMail {
  from?: MailSender;
  subject?: string;
  text: string;
  html?: string;
  /** Message-ID without angle brackets, when the message had one. */
  messageId?: string;
  /** References then In-Reply-To, without brackets, oldest first and deduplicated. */
  replyTo: string[];
  /** Value of X-Omnivox-Communication: this is mail we sent, come back. */
  loopedFrom?: string;
  attachments: number;
  warnings: string[];
}

/** The raw text carried when MIME parsing fails; generous for a message, bounded for a store row. */
export const MAX_FALLBACK_TEXT_BYTES = 1024 * 1024;

/**
 * Bounds on the full HTML-to-text conversion (html-to-text builds a DOM and walks it
 * recursively: deep nesting overflows its stack and large documents take seconds). HTML over
 * either bound is reduced by the linear stripper of core/html-text.ts instead, with a warning.
 */
export interface HtmlLimits {
  maxHtmlBytes: number;
  maxHtmlDepth: number;
}

export const DEFAULT_HTML_LIMITS: HtmlLimits = { maxHtmlBytes: 1024 * 1024, maxHtmlDepth: 256 };

/** Headers that show the input was a message at all, and not just bytes. */
const MESSAGE_HEADERS = ["from", "to", "subject", "date", "message-id"];

/**
 * A message after MIME parsing. When it had no text part, `html` is the HTML whose text is to
 * become the body, and `mail.text` is still empty: the conversion is the costly step, done apart.
 */
export interface ParsedMime {
  mail: InboundMail;
  html?: string;
}

/** Parses the full message in this thread: for tests and for the parser worker (parse-worker.ts). */
export async function parseMail(
  raw: Buffer,
  limits: HtmlLimits = DEFAULT_HTML_LIMITS,
): Promise<InboundMail> {
  const parsed = await parseMime(raw);
  if (parsed.html === undefined) return parsed.mail;
  const over = overHtmlLimits(parsed.html, limits);
  return over ? strippedHtml(parsed, over) : withBodyText(parsed, htmlToPlain(parsed.html));
}

export async function parseMime(raw: Buffer): Promise<ParsedMime> {
  let parsed: ParsedMail;
  try {
    // Our own HTML-to-text below; no data: URIs for inline images (they only bloat the HTML).
    parsed = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { mail: rawFallback(raw, `malformed MIME: ${reason}`) };
  }
  const text = parsed.text?.trim() ? parsed.text : "";
  const html = typeof parsed.html === "string" && parsed.html.trim() ? parsed.html : undefined;
  const looksLikeMail = MESSAGE_HEADERS.some((h) => parsed.headers.has(h));
  if (!text && !html && parsed.attachments.length === 0 && !looksLikeMail) {
    return { mail: rawFallback(raw, "malformed MIME: no headers or body found") };
  }
  const attachments = parsed.attachments.filter((a) => !a.related).length;
  const mail: InboundMail = {
    text: clean(withAttachmentNote(text, attachments)),
    replyTo: threadIds(parsed),
    attachments,
    warnings: lintMime(raw),
  };
  const from = firstSender(parsed.from);
  if (from) mail.from = from;
  if (parsed.subject !== undefined) mail.subject = clean(parsed.subject);
  if (html) mail.html = clean(html);
  const messageId = stripBrackets(parsed.messageId);
  if (messageId) mail.messageId = messageId;
  const loop = parsed.headers.get("x-omnivox-communication");
  if (typeof loop === "string" && loop.trim()) mail.loopedFrom = loop.trim();
  return !text && mail.html !== undefined ? { mail, html: mail.html } : { mail };
}

/** Why `html` is not given to html-to-text, or undefined when it may be. */
export function overHtmlLimits(html: string, limits: HtmlLimits): string | undefined {
  if (htmlNestingDepth(html, limits.maxHtmlDepth + 1) > limits.maxHtmlDepth) {
    return `HTML nested deeper than ${limits.maxHtmlDepth} elements`;
  }
  const bytes = Buffer.byteLength(html, "utf8");
  if (bytes > limits.maxHtmlBytes) {
    return `HTML of ${bytes} bytes is over the ${limits.maxHtmlBytes}-byte conversion limit`;
  }
  return undefined;
}

/** The message with `text` (its HTML converted) as body. */
export function withBodyText(parsed: ParsedMime, text: string): InboundMail {
  return { ...parsed.mail, text: clean(withAttachmentNote(text, parsed.mail.attachments)) };
}

/**
 * The message as plain text only: the HTML's tags stripped by the linear stripper, the HTML
 * itself dropped (it is what could not be converted), and `reason` said in a warning.
 */
export function strippedHtml(parsed: ParsedMime, reason: string): InboundMail {
  const { html: _dropped, ...mail } = withBodyText(parsed, stripHtml(parsed.html ?? ""));
  return {
    ...mail,
    warnings: [...mail.warnings, `HTML stored as plain text, tags stripped: ${reason}`],
  };
}

export function htmlToPlain(html: string): string {
  return convert(html, { wordwrap: false, selectors: [{ selector: "img", format: "skip" }] });
}

/** The raw message as text, bounded, for when it cannot be parsed at all (or not in time). */
export function rawFallback(raw: Buffer, warning: string): InboundMail {
  const truncated = raw.length > MAX_FALLBACK_TEXT_BYTES;
  // Buffer#toString replaces invalid UTF-8 with U+FFFD.
  let text = raw.subarray(0, MAX_FALLBACK_TEXT_BYTES).toString("utf8");
  if (truncated) text += "\n[truncated]";
  return {
    text: clean(text),
    replyTo: [],
    attachments: 0,
    warnings: [warning],
  };
}

function withAttachmentNote(text: string, count: number): string {
  if (count === 0) return text;
  const note = `[${count} attachment${count === 1 ? "" : "s"} not carried]`;
  return text ? `${text.trimEnd()}\n\n${note}` : note;
}

/** NUL cannot be stored in a PostgreSQL text column; a message carrying one must still be stored. */
function clean(s: string): string {
  return s.replaceAll("\u0000", "");
}

function firstSender(from: AddressObject | undefined): MailSender | undefined {
  for (const entry of from?.value ?? []) {
    if (entry.address) {
      const sender: MailSender = { email: entry.address.toLowerCase() };
      if (entry.name) sender.name = clean(entry.name);
      return sender;
    }
  }
  return undefined;
}

export function stripBrackets(id: string | undefined): string | undefined {
  const bare = id?.trim().replace(/^<|>$/g, "").trim();
  return bare && !/[\s<>]/.test(bare) ? bare : undefined;
}

function threadIds(parsed: ParsedMail): string[] {
  const refs = parsed.references === undefined ? [] : [parsed.references].flat();
  // In-Reply-To names the parent; it goes last so the newest reference is last.
  const ids = [...refs, parsed.inReplyTo ?? ""]
    .flatMap((v) => v.split(/\s+/))
    .map(stripBrackets)
    .filter((id): id is string => id !== undefined);
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i]!;
    if (!seen.has(id)) {
      seen.add(id);
      out.unshift(id);
    }
  }
  return out;
}
