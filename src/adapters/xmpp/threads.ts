// Reply threading for XMPP chats: every chat we send carries `<thread>` (RFC 6121 §5.2.5,
// XEP-0201) naming its communication; a client's answer may copy it, point at our stanza with an
// XEP-0461 `<reply id>`, or carry neither — then the last communication sent to that client from
// the same address stands in. The result is the draft's `replyTo`, resolved by the gateway.

import type { NativeRef } from "../../core/communication.ts";

export const NS_REPLY = "urn:xmpp:reply:0";

/** Longest thread or reply id taken from a client; longer ones name nothing of ours. */
const MAX_REF = 256;

export interface ReplyHints {
  /** The `<thread>` text of the answer. */
  thread?: string;
  /** The `id` of an XEP-0461 `<reply>` (our stanza id, which is the delivery id). */
  replyId?: string;
}

/**
 * The last communication sent from each of our addresses to each client (bare JIDs), kept in
 * memory: it is a fallback for clients that keep no thread, and a restart forgets it.
 */
export class RecentChats {
  readonly #last = new Map<string, string>();

  constructor(readonly capacity = 10_000) {}

  #key(client: string, ours: string): string {
    return `${client.toLowerCase()}\n${ours.toLowerCase()}`;
  }

  sent(client: string, ours: string, communicationId: string): void {
    const key = this.#key(client, ours);
    // re-inserted so that Map order is least recently sent first
    this.#last.delete(key);
    this.#last.set(key, communicationId);
    if (this.#last.size > this.capacity) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
  }

  last(client: string, ours: string): string | undefined {
    return this.#last.get(this.#key(client, ours));
  }
}

/**
 * `replyTo` for an answer, weakest first as the gateway wants it (it tries the newest last):
 * the last chat to this client, then the thread, then an explicit XEP-0461 reply.
 */
export function replyRefs(hints: ReplyHints, lastSent: string | undefined): NativeRef[] {
  const refs: NativeRef[] = [];
  if (lastSent) refs.push({ system: "omnivox", id: lastSent });
  const thread = hints.thread?.trim();
  if (thread && thread.length <= MAX_REF && thread !== lastSent)
    refs.push({ system: "omnivox", id: thread });
  const reply = hints.replyId?.trim();
  if (reply && reply.length <= MAX_REF) refs.push({ system: "im", id: reply });
  return refs;
}
