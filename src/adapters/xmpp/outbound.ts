// Canonical → XMPP: a text rendition as a `<message type="chat">` (RFC 6121 §5) from the original
// party's address at our component (XEP-0106 JID escaping), with an XEP-0066 out-of-band link to
// audio, an XEP-0184 receipt request and a `<thread>` naming the communication (threads.ts).

import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import type { TextRendition } from "../../core/rendition.ts";
import { escapeLocal, type XmlElement, xml } from "../../protocols/xmpp/index.ts";

export const NS_OOB = "jabber:x:oob";
export const NS_RECEIPTS = "urn:xmpp:receipts";

/** The localpart, before escaping, that stands for `address` at our component. */
export function partyLocal(address: Address): string {
  switch (address.scheme) {
    case "mailto":
      return address.email;
    case "tel":
      return address.number;
    case "sip":
      return address.uri;
    case "xmpp":
      return address.jid.split("/")[0] ?? address.jid;
    default:
      // web:, voicemail: and whatever names a user: the user's id
      return "userId" in address ? address.userId : "unknown";
  }
}

/** The JID a communication is sent from: the user's own for outbound, else the original party. */
export function senderJid(communication: Communication, domain: string): string {
  const local =
    communication.direction === "outbound" ? communication.userId : partyLocal(communication.from);
  return `${escapeLocal(local.trim() || "unknown")}@${domain}`;
}

export function chatMessage(opts: {
  to: string;
  from: string;
  id: string;
  rendition: TextRendition;
  /** The communication id, which a reply that keeps the thread points back at. */
  thread?: string;
}): XmlElement {
  const { rendition } = opts;
  const body = rendition.audioUrl ? `${rendition.text}\n${rendition.audioUrl}` : rendition.text;
  return xml(
    "message",
    { type: "chat", to: opts.to, from: opts.from, id: opts.id },
    rendition.subject !== "" && xml("subject", {}, rendition.subject),
    xml("body", {}, body),
    opts.thread !== undefined && xml("thread", {}, opts.thread),
    rendition.audioUrl !== undefined &&
      xml("x", { xmlns: NS_OOB }, xml("url", {}, rendition.audioUrl)),
    xml("request", { xmlns: NS_RECEIPTS }),
  );
}
