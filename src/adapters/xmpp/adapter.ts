// The XMPP IM adapter (DESIGN §1.1 im row) over our XEP-0114 component: sends text renditions as
// chat messages (outbound.ts), turns chat messages into communications (inbound.ts), and tracks
// the presence of users' clients (RFC 6121 roster handshake, presence.ts) so that the outbox holds
// deliveries while a client is offline and releases them when it comes back.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, OmnivoxError, TargetUnavailableError } from "../../core/errors.ts";
import type {
  Adapter,
  AvailabilityListener,
  CommunicationDraft,
  DeliveryTarget,
  Gateway,
} from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import type { Rendition } from "../../core/rendition.ts";
import {
  bareJid,
  type Component,
  child,
  escapeLocal,
  JidError,
  NotConnectedError,
  parseJid,
  StanzaError,
  type XmlElement,
  xml,
} from "../../protocols/xmpp/index.ts";
import {
  type ChatIn,
  inboundDraft,
  outboundDraft,
  partyOf,
  readChat,
  UserDirectory,
} from "./inbound.ts";
import { chatMessage, NS_RECEIPTS, senderJid } from "./outbound.ts";
import { PresenceTracker } from "./presence.ts";

export interface XmppAdapterOptions {
  component: Component;
  gateway: Pick<Gateway, "receive">;
  /** The users' profiles (store.users.list), read again when a JID is not in the cache. */
  listUsers: () => Promise<Profile[]>;
  logger: Logger;
  /** How long send() waits for a receipt or a bounce before it counts the message delivered. */
  receiptWaitMs?: number;
}

interface Pending {
  bare: string;
  settle: (error?: Error) => void;
}

export class XmppAdapter implements Adapter {
  readonly name = "xmpp";
  readonly presence = new PresenceTracker();
  readonly #opts: XmppAdapterOptions & { receiptWaitMs: number };
  readonly #users: UserDirectory;
  readonly #pending = new Map<string, Pending>();
  readonly #subscribed = new Set<string>();
  #started = false;

  constructor(opts: XmppAdapterOptions) {
    this.#opts = { receiptWaitMs: 800, ...opts };
    this.#users = new UserDirectory(opts.listUsers);
  }

  get domain(): string {
    return this.#opts.component.connection.domain;
  }

  handles(address: Address): boolean {
    return address.scheme === "xmpp";
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { connection } = this.#opts.component;
    connection.on("stanza", this.#onStanza);
    connection.on("online", this.#onOnline);
    connection.on("disconnect", this.#onDisconnect);
    await this.#users
      .refresh()
      .catch((err) => this.#opts.logger.error({ err }, "xmpp: cannot read users"));
    this.#opts.component.start();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    const { connection } = this.#opts.component;
    connection.off("stanza", this.#onStanza);
    connection.off("online", this.#onOnline);
    connection.off("disconnect", this.#onDisconnect);
    for (const p of this.#pending.values()) p.settle(new DeliveryError("xmpp adapter stopping"));
    this.#pending.clear();
    await this.#opts.component.stop();
  }

  /** Called with `xmpp:<bare JID>` when that JID comes online: the outbox releases held rows. */
  onAvailable(listener: AvailabilityListener): () => void {
    return this.presence.onAvailable((bare) => listener({ scheme: "xmpp", jid: bare }));
  }

  isAvailable(address: Address): boolean {
    if (address.scheme !== "xmpp") return false;
    if (this.#opts.component.connection.status !== "online") return false;
    let bare: string;
    try {
      bare = bareJid(address.jid);
    } catch {
      return false;
    }
    const state = this.presence.state(bare);
    // a user's client announces itself; a stranger's presence we never see, so try it
    return this.#users.userOf(bare) !== undefined ? state === "available" : state !== "unavailable";
  }

  async send(
    communication: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string | undefined> {
    const { address } = target;
    if (address.scheme !== "xmpp")
      throw new DeliveryError("xmpp adapter cannot reach this address", true);
    if (rendition.medium !== "text")
      throw new DeliveryError("xmpp clients take text renditions", true);
    let bare: string;
    let from: string;
    try {
      bare = bareJid(address.jid);
      from = senderJid(communication, this.domain);
    } catch (err) {
      if (err instanceof JidError) throw new DeliveryError(err.message, true, { cause: err });
      throw err;
    }
    if (this.#users.userOf(bare) === undefined && this.presence.state(bare) === undefined)
      await this.#refreshUsers();
    if (!this.isAvailable(address)) {
      if (this.#opts.component.connection.status !== "online")
        throw new DeliveryError("xmpp component is not connected");
      throw new TargetUnavailableError(`xmpp ${bare} is not available`);
    }
    const id = target.deliveryId;
    const stanza = chatMessage({ to: address.jid, from, id, rendition });
    const answered = this.#awaitAnswer(id, bare);
    try {
      await this.#opts.component.connection.send(stanza);
    } catch (err) {
      this.#pending.get(id)?.settle();
      this.#pending.delete(id);
      if (err instanceof NotConnectedError)
        throw new DeliveryError("xmpp component is not connected", false, { cause: err });
      throw new DeliveryError(
        `xmpp send failed: ${(err as Error).message}`,
        err instanceof RangeError,
        {
          cause: err,
        },
      );
    }
    await answered;
    return id;
  }

  /** Resolves on a receipt or after receiptWaitMs; rejects on a bounce. */
  #awaitAnswer(id: string, bare: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(), this.#opts.receiptWaitMs);
      timer.unref?.();
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (error) reject(error);
        else resolve();
      };
      this.#pending.set(id, { bare, settle: done });
    });
  }

  async #refreshUsers(): Promise<void> {
    try {
      const added = await this.#users.refresh();
      if (added.length > 0) await this.#subscribeAll();
    } catch (err) {
      this.#opts.logger.error({ err }, "xmpp: cannot read users");
    }
  }

  /** RFC 6121 §3.1: ask each user's client for its presence from `<userId>@<component>`. */
  async #subscribeAll(): Promise<void> {
    const { connection } = this.#opts.component;
    if (connection.status !== "online") return;
    for (const [jid, userId] of this.#users.entries()) {
      const from = `${escapeLocal(userId)}@${this.domain}`;
      try {
        // Probe only once the subscription exists: a probe that arrives while the request is
        // pending is answered `unsubscribed` by the user's server, which cancels the request
        // (RFC 6121 §3.1.3, §4.3.2). The `subscribed` answer triggers the probe instead.
        if (!this.#subscribed.has(jid)) {
          await connection.send(xml("presence", { type: "subscribe", to: jid, from }));
          this.#subscribed.add(jid);
        } else {
          await connection.send(xml("presence", { type: "probe", to: jid, from }));
        }
      } catch (err) {
        this.#opts.logger.warn({ err, jid }, "xmpp: cannot subscribe to presence");
      }
    }
  }

  readonly #onOnline = (): void => {
    this.#subscribed.clear();
    void this.#refreshUsers().then(() => this.#subscribeAll());
  };

  readonly #onDisconnect = (): void => {
    this.presence.clear();
  };

  readonly #onStanza = (stanza: XmlElement): void => {
    if (stanza.name === "presence") this.#onPresence(stanza);
    else if (stanza.name === "message") {
      void this.#onMessage(stanza).catch((err) =>
        this.#opts.logger.error({ err }, "xmpp: cannot handle a message"),
      );
    }
  };

  #onPresence(stanza: XmlElement): void {
    const { from, to, type } = stanza.attrs;
    this.#opts.logger.debug({ from, to, type }, "xmpp presence");
    if (!from) return;
    let jid: ReturnType<typeof parseJid>;
    let bare: string;
    try {
      jid = parseJid(from);
      bare = bareJid(from);
    } catch {
      return;
    }
    if (type === undefined) this.presence.available(bare, jid.resource);
    else if (type === "unavailable") this.presence.unavailable(bare, jid.resource);
    else if (type === "subscribed" && to && this.#users.userOf(bare) !== undefined) {
      // the client approved us: ask for its presence now rather than wait for its next change
      void this.#sendQuietly(xml("presence", { type: "probe", to: bare, from: to }));
    } else if (type === "subscribe" && to) {
      void this.#approve(bare, to);
    }
  }

  /** Approves a subscription request from a user's own client (and announces ourselves). */
  async #approve(bare: string, to: string): Promise<void> {
    if (this.#users.userOf(bare) === undefined) await this.#refreshUsers();
    const { connection } = this.#opts.component;
    const from = to.split("/")[0] ?? to;
    const known = this.#users.userOf(bare) !== undefined;
    try {
      await connection.send(
        xml("presence", { type: known ? "subscribed" : "unsubscribed", to: bare, from }),
      );
      if (known) await connection.send(xml("presence", { to: bare, from }));
    } catch (err) {
      this.#opts.logger.warn({ err, jid: bare }, "xmpp: cannot answer a subscription");
    }
  }

  async #onMessage(stanza: XmlElement): Promise<void> {
    const { id, type } = stanza.attrs;
    if (type === "error") {
      const pending = id ? this.#pending.get(id) : undefined;
      const error = StanzaError.fromStanza(stanza);
      if (!pending) return;
      if (
        error.condition === "service-unavailable" ||
        error.condition === "recipient-unavailable"
      ) {
        this.presence.unavailable(pending.bare);
        pending.settle(new TargetUnavailableError(`xmpp ${pending.bare}: ${error.condition}`));
      } else {
        pending.settle(
          new DeliveryError(`xmpp ${pending.bare}: ${error.message}`, error.type === "cancel"),
        );
      }
      return;
    }
    const received = child(stanza, "received", NS_RECEIPTS);
    if (received) {
      const ackId = received.attrs.id ?? id;
      if (ackId) this.#pending.get(ackId)?.settle();
      return;
    }
    const chat = readChat(stanza, this.domain);
    if (!chat) return;
    await this.#onChat(chat, stanza);
  }

  async #onChat(chat: ChatIn, stanza: XmlElement): Promise<void> {
    let userId = this.#users.userOf(chat.bare);
    if (userId === undefined || !this.#users.isUser(chat.local)) await this.#refreshUsers();
    userId = this.#users.userOf(chat.bare);
    const to = partyOf(chat.local);
    let draft: CommunicationDraft;
    if (userId !== undefined && to) draft = outboundDraft(chat, userId, to);
    else if (this.#users.isUser(chat.local) && userId !== chat.local)
      draft = inboundDraft(chat, chat.local);
    else if (userId !== undefined) {
      await this.#reject(stanza, new StanzaError("item-not-found", "cancel", "no such address"));
      return;
    } else {
      await this.#reject(
        stanza,
        new StanzaError("not-authorized", "auth", "not a user of this gateway"),
      );
      return;
    }
    try {
      await this.#opts.gateway.receive(draft);
    } catch (err) {
      this.#opts.logger.warn({ err, from: chat.bare, to: chat.to }, "xmpp: message not accepted");
      const message =
        err instanceof OmnivoxError && err.statusCode < 500 ? err.message : "not delivered";
      await this.#reject(stanza, new StanzaError("undefined-condition", "cancel", message));
      return;
    }
    if (child(stanza, "request", NS_RECEIPTS) && chat.id) {
      await this.#sendQuietly(
        xml(
          "message",
          { to: chat.from, from: chat.to },
          xml("received", { xmlns: NS_RECEIPTS, id: chat.id }),
        ),
      );
    }
  }

  /** RFC 6120 §8.3: the stanza back to its sender with an error. */
  async #reject(stanza: XmlElement, error: StanzaError): Promise<void> {
    const { from, to, id } = stanza.attrs;
    if (!from || !to) return;
    await this.#sendQuietly(
      xml("message", { type: "error", to: from, from: to, id }, error.toElement()),
    );
  }

  async #sendQuietly(stanza: XmlElement): Promise<void> {
    try {
      await this.#opts.component.connection.send(stanza);
    } catch (err) {
      this.#opts.logger.warn({ err }, "xmpp: cannot send a reply");
    }
  }
}
