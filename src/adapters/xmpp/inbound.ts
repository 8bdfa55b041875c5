// XMPP → canonical: a chat `<message>` to `<localpart>@<component>` becomes a communication. From
// one of a user's own clients (profile imClients, bare JID) it is the user writing to the party the
// XEP-0106-unescaped localpart names (mailto:, tel:, sip:); from anyone else to `<userId>@…` it is
// an inbound IM for that user. The user directory caches profiles and refreshes on a miss.

import type { Address } from "../../core/address.ts";
import type { NativeRef } from "../../core/communication.ts";
import type { CommunicationDraft } from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import {
  bareJid,
  child,
  childText,
  parseJid,
  unescapeLocal,
  type XmlElement,
} from "../../protocols/xmpp/index.ts";
import { NS_REPLY } from "./threads.ts";

/** Users' XMPP client JIDs (bare) → user id, from `store.users.list()`. */
export class UserDirectory {
  #byJid = new Map<string, string>();
  #ids = new Set<string>();
  #loaded = false;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    readonly list: () => Promise<Profile[]>,
    /** Told the client JIDs a reload() found new (the adapter asks them for presence). */
    readonly onAdded: (jids: string[]) => Promise<void> = async () => {},
    readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** refresh() then onAdded, one at a time: a call during a reload gets one more after it. */
  reload(): Promise<void> {
    if (this.#running) {
      this.#queued ??= this.#running.then(() => {
        this.#queued = undefined;
        return this.reload();
      });
      return this.#queued;
    }
    const run = (async () => {
      try {
        const added = await this.refresh();
        if (added.length > 0) await this.onAdded(added);
      } catch (err) {
        this.onError(err);
      } finally {
        this.#running = undefined;
      }
    })();
    this.#running = run;
    return run;
  }

  /** Reloads the profiles; resolves with the client JIDs not seen before. */
  async refresh(): Promise<string[]> {
    const byJid = new Map<string, string>();
    const ids = new Set<string>();
    for (const profile of await this.list()) {
      ids.add(profile.id);
      for (const client of profile.imClients) {
        if (client.kind !== "xmpp") continue;
        try {
          byJid.set(bareJid(client.jid), profile.id);
        } catch {
          // a malformed JID in a profile reaches nobody; the rest still work
        }
      }
    }
    const added = [...byJid.keys()].filter((jid) => !this.#byJid.has(jid));
    this.#byJid = byJid;
    this.#ids = ids;
    this.#loaded = true;
    return added;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** The user whose client `bare` is, from the cache. */
  userOf(bare: string): string | undefined {
    return this.#byJid.get(bare);
  }

  isUser(id: string): boolean {
    return this.#ids.has(id);
  }

  clientJids(): string[] {
    return [...this.#byJid.keys()];
  }

  /** A (cached) client JID → user id with user ids by cache entry. */
  entries(): [jid: string, userId: string][] {
    return [...this.#byJid.entries()];
  }
}

/** The party an unescaped localpart names: mail (has @), phone (+digits), SIP URI. */
export function partyOf(local: string): Address | undefined {
  if (/^sips?:/i.test(local)) return { scheme: "sip", uri: local };
  if (/^\+[0-9]{1,32}$/.test(local)) return { scheme: "tel", number: local };
  if (/^[^\s@<>()"]+@[^\s@<>()"]+$/.test(local))
    return { scheme: "mailto", email: local.toLowerCase() };
  return undefined;
}

export interface ChatIn {
  /** The sender's full JID and its bare form. */
  from: string;
  bare: string;
  /** The unescaped localpart of the `to` JID at our component. */
  local: string;
  to: string;
  id?: string;
  body: string;
  subject?: string;
  /** RFC 6121 §5.2.5 `<thread>`, and the id of an XEP-0461 `<reply>`: see threads.ts. */
  thread?: string;
  replyId?: string;
}

/** A chat (or normal) message with a body addressed to a localpart at `domain`, else undefined. */
export function readChat(stanza: XmlElement, domain: string): ChatIn | undefined {
  if (stanza.name !== "message") return undefined;
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "normal") return undefined;
  const body = childText(stanza, "body");
  const { from, to } = stanza.attrs;
  // no body, or only whitespace: chat states and the like, nothing to pass on
  if (body === undefined || body.trim() === "" || !from || !to) return undefined;
  try {
    const target = parseJid(to);
    if (target.domain !== domain.toLowerCase() || target.local === undefined) return undefined;
    const chat: ChatIn = {
      from,
      bare: bareJid(from),
      local: unescapeLocal(target.local),
      to,
      body,
    };
    if (stanza.attrs.id) chat.id = stanza.attrs.id;
    const subject = childText(stanza, "subject");
    if (subject !== undefined && subject.trim() !== "") chat.subject = subject;
    const thread = childText(stanza, "thread");
    if (thread !== undefined && thread.trim() !== "") chat.thread = thread.trim();
    const replyId = child(stanza, "reply", NS_REPLY)?.attrs.id;
    if (replyId) chat.replyId = replyId;
    return chat;
  } catch {
    return undefined;
  }
}

function base(
  chat: ChatIn,
): Pick<
  Extract<CommunicationDraft, { kind: "im" }>,
  "kind" | "body" | "receivedAt" | "nativeRefs" | "warnings" | "subject"
> {
  return {
    kind: "im",
    body: { text: chat.body },
    ...(chat.subject !== undefined ? { subject: chat.subject } : {}),
    receivedAt: new Date(),
    nativeRefs: chat.id ? [{ system: "im", id: chat.id }] : [],
    warnings: [],
  };
}

/** A user's own client writing to a party through us; `replyTo` from threads.ts. */
export function outboundDraft(
  chat: ChatIn,
  userId: string,
  to: Address,
  replyTo: NativeRef[] = [],
): CommunicationDraft {
  return {
    ...base(chat),
    direction: "outbound",
    userId,
    from: { scheme: "xmpp", jid: chat.bare },
    to,
    ...(replyTo.length > 0 ? { replyTo } : {}),
  };
}

/** Someone writing to `<userId>@<component>`. */
export function inboundDraft(chat: ChatIn, userId: string): CommunicationDraft {
  return {
    ...base(chat),
    direction: "inbound",
    userId,
    from: { scheme: "xmpp", jid: chat.bare },
    to: { scheme: "xmpp", jid: chat.to.split("/")[0] ?? chat.to },
  };
}
