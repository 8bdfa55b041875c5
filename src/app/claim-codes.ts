// Sends self-service claim codes (http/routes/claims.ts) straight through the email or XMPP
// adapter, not the outbox: the message is to whoever holds the address, and it must not show in
// the claimant's own communications, where they could read the code without owning the address.

import type { Address } from "../core/address.ts";
import type { Communication } from "../core/communication.ts";
import { ValidationError } from "../core/errors.ts";
import type { Adapter } from "../core/ports.ts";
import type { TextRendition } from "../core/rendition.ts";

export function claimCodeSender(adapters: {
  email: Adapter;
  xmpp?: Adapter | undefined;
}): (userId: string, address: Address, code: string, expiresAt: Date) => Promise<void> {
  return async (userId, address, code, expiresAt) => {
    const adapter = address.scheme === "mailto" ? adapters.email : adapters.xmpp;
    if (!adapter || (address.scheme !== "mailto" && address.scheme !== "xmpp")) {
      throw new ValidationError(
        "jid",
        "XMPP is not configured here (xmpp.server), so no code can be sent",
      );
    }
    const shown = address.scheme === "mailto" ? address.email : address.jid;
    const subject = "Confirm your address for omnivox";
    const text = [
      `The omnivox user "${userId}" asks to receive mail, calls and chats for ${shown}.`,
      `If that is you, confirm with this code: ${code}`,
      `(valid until ${expiresAt.toISOString()}).`,
      "If it is not you, ignore this message: nothing changes without the code.",
    ].join("\n");
    const id = `claim-${code.toLowerCase()}-${expiresAt.getTime()}`;
    const communication: Communication = {
      id,
      kind: address.scheme === "mailto" ? "email" : "im",
      userId,
      direction: "inbound",
      from: { scheme: "web", userId: "omnivox", clientId: "claims" },
      to: address,
      subject,
      receivedAt: new Date(),
      thread: { threadId: id },
      nativeRefs: [],
      warnings: [],
      body: { text },
    };
    const rendition: TextRendition = { medium: "text", subject, text, from: "omnivox", notes: [] };
    await adapter.send(communication, rendition, { deliveryId: id, address, attempt: 1 });
  };
}
