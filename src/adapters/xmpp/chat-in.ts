// A chat message that reached our component, handed to the gateway (inbound.ts says which way it
// goes, threads.ts what it answers); refused with a stanza error (RFC 6120 §8.3) when it names
// nobody, and acknowledged with an XEP-0184 receipt once the gateway has it durably.

import type { Logger } from "pino";
import { OmnivoxError } from "../../core/errors.ts";
import type { CommunicationDraft, Gateway } from "../../core/ports.ts";
import { child, StanzaError, type XmlElement, xml } from "../../protocols/xmpp/index.ts";
import { inboundDraft, outboundDraft, partyOf, readChat, type UserDirectory } from "./inbound.ts";
import { NS_RECEIPTS } from "./outbound.ts";
import { type RecentChats, replyRefs } from "./threads.ts";

export interface ChatInDeps {
  /** Our component's domain. */
  domain: string;
  users: UserDirectory;
  recent: RecentChats;
  gateway: Pick<Gateway, "receive">;
  logger: Logger;
  refreshUsers: () => Promise<void>;
  /** Sends a stanza, logging rather than throwing when it cannot. */
  send: (stanza: XmlElement) => Promise<void>;
}

export async function receiveChat(deps: ChatInDeps, stanza: XmlElement): Promise<void> {
  const { users } = deps;
  const chat = readChat(stanza, deps.domain);
  if (!chat) return;
  if (users.userOf(chat.bare) === undefined || !users.isUser(chat.local)) await deps.refreshUsers();
  const userId = users.userOf(chat.bare);
  const to = partyOf(chat.local);
  let draft: CommunicationDraft;
  if (userId !== undefined && to) {
    const ours = chat.to.split("/")[0] ?? chat.to;
    draft = outboundDraft(chat, userId, to, replyRefs(chat, deps.recent.last(chat.bare, ours)));
  } else if (users.isUser(chat.local) && userId !== chat.local) {
    draft = inboundDraft(chat, chat.local);
  } else if (userId !== undefined) {
    await reject(deps, stanza, new StanzaError("item-not-found", "cancel", "no such address"));
    return;
  } else {
    const error = new StanzaError("not-authorized", "auth", "not a user of this gateway");
    await reject(deps, stanza, error);
    return;
  }
  try {
    await deps.gateway.receive(draft);
  } catch (err) {
    deps.logger.warn({ err, from: chat.bare, to: chat.to }, "xmpp: message not accepted");
    const message =
      err instanceof OmnivoxError && err.statusCode < 500 ? err.message : "not delivered";
    await reject(deps, stanza, new StanzaError("undefined-condition", "cancel", message));
    return;
  }
  // XEP-0184: the receipt says the gateway has the message durably, not that it went out
  if (child(stanza, "request", NS_RECEIPTS) && chat.id) {
    await deps.send(
      xml(
        "message",
        { to: chat.from, from: chat.to },
        xml("received", { xmlns: NS_RECEIPTS, id: chat.id }),
      ),
    );
  }
}

/** RFC 6120 §8.3: the stanza back to its sender with an error. */
async function reject(deps: ChatInDeps, stanza: XmlElement, error: StanzaError): Promise<void> {
  const { from, to, id } = stanza.attrs;
  if (!from || !to) return;
  await deps.send(xml("message", { type: "error", to: from, from: to, id }, error.toElement()));
}
