// Turns a received message into one email CommunicationDraft per accepted recipient (the inbound
// half of the adapter). Threading ids follow RFC 5322 §3.6.4.

import { randomUUID } from "node:crypto";
import type { Address } from "../../core/address.ts";
import type { NativeRef } from "../../core/communication.ts";
import type { CommunicationDraft } from "../../core/ports.ts";
import type { InboundMail } from "./parse-mail.ts";
import type { AcceptedRecipient } from "./recipients.ts";

/**
 * Mail carrying X-Omnivox-Communication is mail we sent that came back (a forward, an auto-reply,
 * a user's own address routed to email). It is still delivered, but its draft carries this
 * native ref so the router can refuse to send it to email again and break the loop.
 */
export const LOOP_REF_PREFIX = "omnivox-loop:";

/** The communication id a looped message came from, or undefined when it is not one of ours. */
export function loopedFrom(nativeRefs: readonly NativeRef[]): string | undefined {
  const ref = nativeRefs.find((r) => r.system === "email" && r.id.startsWith(LOOP_REF_PREFIX));
  return ref?.id.slice(LOOP_REF_PREFIX.length);
}

export interface Envelope {
  /** MAIL FROM; empty for the null sender of bounces. */
  mailFrom: string;
  /** Used to make up a Message-ID when the message has none. */
  hostname: string;
}

export function buildDrafts(
  mail: InboundMail,
  recipients: readonly AcceptedRecipient[],
  envelope: Envelope,
  receivedAt = new Date(),
): CommunicationDraft[] {
  const warnings = [...mail.warnings];
  const from = senderAddress(mail, envelope, warnings);
  const messageId = mail.messageId ?? `${randomUUID()}@${envelope.hostname}`;
  const nativeRefs: NativeRef[] = [{ system: "email", id: messageId }];
  if (mail.loopedFrom !== undefined) {
    nativeRefs.push({ system: "email", id: `${LOOP_REF_PREFIX}${mail.loopedFrom}` });
    warnings.push(`looped: this is mail omnivox sent for communication ${mail.loopedFrom}`);
  }
  const replyTo: NativeRef[] = mail.replyTo.map((id) => ({ system: "email", id }));
  const body = mail.html === undefined ? { text: mail.text } : { text: mail.text, html: mail.html };
  return recipients.map((r) => {
    const draft: CommunicationDraft = {
      kind: "email",
      direction: "inbound",
      userId: r.userId,
      from,
      to: { scheme: "mailto", email: r.email },
      body: { ...body },
      receivedAt,
      nativeRefs: nativeRefs.map((n) => ({ ...n })),
      replyTo: replyTo.map((n) => ({ ...n })),
      warnings: [...warnings],
    };
    if (mail.subject !== undefined) draft.subject = mail.subject;
    return draft;
  });
}

/** The header From, else the envelope sender; a bounce with neither still gets delivered. */
function senderAddress(mail: InboundMail, envelope: Envelope, warnings: string[]): Address {
  if (mail.from) {
    return mail.from.name
      ? { scheme: "mailto", email: mail.from.email, name: mail.from.name }
      : { scheme: "mailto", email: mail.from.email };
  }
  if (envelope.mailFrom) return { scheme: "mailto", email: envelope.mailFrom.toLowerCase() };
  warnings.push("no sender address: neither a From header nor an envelope sender");
  return { scheme: "mailto", email: `mailer-daemon@${envelope.hostname}` };
}
