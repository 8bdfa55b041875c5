// Composes the outgoing message for one delivery (RFC 5322): who it is from, threading headers
// (Message-ID, In-Reply-To, References per §3.6.4), the X-Omnivox-Communication loop marker and,
// for a voicemail, the recording as an attachment.

import type { SendMailOptions } from "nodemailer";
import { COMMUNICATION_HEADER, type Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { DeliveryTarget } from "../../core/ports.ts";
import type { TextRendition } from "../../core/rendition.ts";

/** Mail we send carries this header; SMTP in marks mail carrying it as looped. */
export { COMMUNICATION_HEADER };

/** The local part of the address mail from outside parties is sent as. */
export const RELAY_LOCAL_PART = "omnivox";

export interface ComposedMail {
  message: SendMailOptions;
  /** Message-ID without angle brackets: the native id of the delivery. */
  messageId: string;
}

/** A Message-ID safe to put between angle brackets in a header. */
const MSG_ID = /^[^\s<>()",;\\[\]]+@[^\s<>()",;\\[\]]+$/;

/** Said in the mail when the rendition asks for an attachment whose audio could not be loaded. */
export const MISSING_ATTACHMENT_NOTE = "(The recording could not be attached to this mail.)";

/**
 * The domain of mail we originate (Message-ID, the relay address) and the domains omnivox serves
 * (smtp.domains): a user's own address is put in From and the envelope only when it lies in one
 * of those, so no mail leaves as a domain the operator does not own. A plain string is both.
 */
export type MailDomains = string | { from: string; served: readonly string[] };

/**
 * `audio` is the blob named by `rendition.attachment`, loaded by the adapter; when it is missing
 * the mail still goes, saying so, since a voicemail notice without its audio beats none at all.
 */
export function composeMail(
  communication: Communication,
  rendition: TextRendition,
  target: DeliveryTarget,
  domains: MailDomains,
  audio?: Uint8Array,
): ComposedMail {
  if (target.address.scheme !== "mailto") {
    throw new DeliveryError(`email cannot deliver to ${target.address.scheme}: addresses`, true);
  }
  const fromDomain = typeof domains === "string" ? domains : domains.from;
  const served = new Set(
    (typeof domains === "string" ? [domains] : domains.served).map((d) => d.toLowerCase()),
  );
  const messageId = `${communication.id}@${fromDomain}`;
  if (!MSG_ID.test(messageId)) {
    throw new DeliveryError(
      `communication id "${communication.id}" makes no valid Message-ID`,
      true,
    );
  }
  const references = (target.references ?? []).filter((id) => MSG_ID.test(id));
  const to = mailbox(target.address.email, target.address.name);
  const sender = senderFields(communication, rendition, fromDomain, served);
  const message: SendMailOptions = {
    ...sender,
    // The envelope (RFC 5321 MAIL FROM) is set, not left to nodemailer, so it is always the From
    // address chosen here and never anything a header could carry.
    envelope: { from: addressOf(sender.from), to: target.address.email },
    to,
    subject: rendition.subject,
    text: withNote(withAudioLink(rendition), rendition.attachment && !audio),
    messageId: `<${messageId}>`,
    date: communication.receivedAt,
    headers: { [COMMUNICATION_HEADER]: communication.id },
  };
  if (rendition.html !== undefined) message.html = rendition.html;
  if (rendition.attachment && audio) {
    message.attachments = [
      {
        filename: rendition.attachment.filename,
        content: Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength),
        contentType: rendition.attachment.contentType,
      },
    ];
  }
  const parent = references.at(-1);
  if (parent !== undefined) {
    message.inReplyTo = `<${parent}>`;
    message.references = references.map((id) => `<${id}>`);
  }
  return { message, messageId };
}

/**
 * The user's own mail goes out as them: `rendition.sender`, else `communication.from` (the gateway
 * sets either to their address at our domain), so replies come back to them — but only when that
 * address is in a served domain. Anything else goes out as us on behalf of the sender, so it
 * passes the relay's sender checks; replies then go to the original sender when that was an
 * email address.
 */
function senderFields(
  c: Communication,
  r: TextRendition,
  fromDomain: string,
  served: ReadonlySet<string>,
): { from: string | { name: string; address: string }; replyTo?: SendMailOptions["replyTo"] } {
  const ours = (email: string) => served.has(email.slice(email.lastIndexOf("@") + 1).toLowerCase());
  if (c.direction === "outbound") {
    if (r.sender?.email && ours(r.sender.email)) {
      return { from: mailbox(r.sender.email, r.sender.name) };
    }
    if (c.from.scheme === "mailto" && ours(c.from.email)) {
      return { from: mailbox(c.from.email, c.from.name) };
    }
  }
  const label = c.direction === "outbound" && r.sender?.name ? r.sender.name : senderLabel(r.from);
  const fields: ReturnType<typeof senderFields> = {
    from: mailbox(`${RELAY_LOCAL_PART}@${fromDomain}`, `${label} via omnivox`),
  };
  if (c.from.scheme === "mailto") fields.replyTo = mailbox(c.from.email, c.from.name);
  return fields;
}

function addressOf(box: string | { address: string }): string {
  return typeof box === "string" ? box : box.address;
}

/** nodemailer quotes and encodes the display name itself. */
function mailbox(
  address: string,
  name: string | undefined,
): string | { name: string; address: string } {
  return name ? { name, address } : address;
}

/** "Bob <bob@example.net>" → "Bob"; a bare label stays as it is. */
export function senderLabel(label: string): string {
  const named = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(label);
  const name = named?.[1]?.trim();
  return (name || label.replace(/[<>]/g, "").trim() || "someone").replace(/[\r\n]+/g, " ");
}

function withAudioLink(r: TextRendition): string {
  if (r.audioUrl === undefined || r.text.includes(r.audioUrl)) return r.text;
  return `${r.text.trimEnd()}\n\nListen: ${r.audioUrl}\n`;
}

function withNote(text: string, missing: boolean | undefined): string {
  return missing ? `${text.trimEnd()}\n\n${MISSING_ATTACHMENT_NOTE}\n` : text;
}
