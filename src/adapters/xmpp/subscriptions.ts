// The roster handshake of RFC 6121 §3 between our component and the users' own clients: we ask
// each client JID for its presence from `<userId>@<component>`, approve the clients that ask us,
// and feed what they announce into the PresenceTracker (§4).

import type { Logger } from "pino";
import {
  bareJid,
  type ComponentConnection,
  escapeLocal,
  parseJid,
  type XmlElement,
  xml,
} from "../../protocols/xmpp/index.ts";
import type { UserDirectory } from "./inbound.ts";
import type { PresenceTracker } from "./presence.ts";

export interface SubscriptionDeps {
  connection: ComponentConnection;
  users: UserDirectory;
  presence: PresenceTracker;
  logger: Logger;
  /** Reloads the users (coalesced by the adapter); subscribes those it finds new. */
  refreshUsers: () => Promise<void>;
}

export class Subscriptions {
  /** Client JIDs asked on this stream; a new stream asks them all again. */
  readonly #asked = new Set<string>();

  constructor(readonly deps: SubscriptionDeps) {}

  /** The stream changed: nothing asked on the old one counts. */
  reset(): void {
    this.#asked.clear();
  }

  /**
   * Asks each client JID for its presence: `subscribe` the first time on a stream, `probe` after.
   * Probe only once the subscription exists: a probe that arrives while the request is pending is
   * answered `unsubscribed` by the user's server, which cancels the request (RFC 6121 §3.1.3,
   * §4.3.2). The `subscribed` answer triggers the probe instead.
   */
  async ask(jids: readonly string[]): Promise<void> {
    const { connection, users, logger } = this.deps;
    for (const jid of jids) {
      if (connection.status !== "online") return;
      const userId = users.userOf(jid);
      if (userId === undefined) continue;
      const from = `${escapeLocal(userId)}@${connection.domain}`;
      try {
        const type = this.#asked.has(jid) ? "probe" : "subscribe";
        this.#asked.add(jid);
        await connection.send(xml("presence", { type, to: jid, from }));
      } catch (err) {
        logger.warn({ err, jid }, "xmpp: cannot subscribe to presence");
      }
    }
  }

  onPresence(stanza: XmlElement): void {
    const { from, to, type } = stanza.attrs;
    this.deps.logger.debug({ from, to, type }, "xmpp presence");
    if (!from) return;
    let resource: string | undefined;
    let bare: string;
    try {
      resource = parseJid(from).resource;
      bare = bareJid(from);
    } catch {
      return;
    }
    const { presence, users } = this.deps;
    if (type === undefined) presence.available(bare, resource);
    else if (type === "unavailable") presence.unavailable(bare, resource);
    else if (type === "error") presence.unavailable(bare);
    else if (type === "subscribed" && to && users.userOf(bare) !== undefined) {
      // the client approved us: ask for its presence now rather than wait for its next change
      void this.#send(xml("presence", { type: "probe", to: bare, from: to }));
    } else if (type === "subscribe" && to) {
      void this.#approve(bare, to);
    }
  }

  /** Approves a subscription request from a user's own client (and announces ourselves). */
  async #approve(bare: string, to: string): Promise<void> {
    const { users } = this.deps;
    if (users.userOf(bare) === undefined) await this.deps.refreshUsers();
    const from = to.split("/")[0] ?? to;
    const known = users.userOf(bare) !== undefined;
    await this.#send(
      xml("presence", { type: known ? "subscribed" : "unsubscribed", to: bare, from }),
    );
    if (known) await this.#send(xml("presence", { to: bare, from }));
  }

  async #send(stanza: XmlElement): Promise<void> {
    try {
      await this.deps.connection.send(stanza);
    } catch (err) {
      this.deps.logger.warn({ err, to: stanza.attrs.to }, "xmpp: cannot send presence");
    }
  }
}
