// The XMPP IM adapter (docs/architecture.md "Systems and conversions" im row) over our XEP-0114
// component: sends text renditions as chat messages (outbound.ts) with XEP-0184 receipts
// (receipts.ts), shows the voicemail indicator (mwi.ts), turns chat messages into communications
// with their reply thread (inbound.ts, threads.ts), and tracks the presence of users' clients
// (subscriptions.ts) so that the outbox holds deliveries while a client is offline and releases
// them when it comes back.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { VoicemailIndicator } from "../../core/mwi.ts";
import type {
  Adapter,
  AvailabilityListener,
  DeliveryTarget,
  Gateway,
  IndicatorTarget,
  LinkOwnership,
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
  StanzaError,
  type XmlElement,
} from "../../protocols/xmpp/index.ts";
import { receiveChat } from "./chat-in.ts";
import type { ComponentRelay, PreparedStanza } from "./forward.ts";
import { UserDirectory } from "./inbound.ts";
import { indicatorMessage, PepPublisher, pepPublish } from "./mwi.ts";
import { chatMessage, NS_RECEIPTS, senderJid } from "./outbound.ts";
import { PresenceTracker } from "./presence.ts";
import { Receipts } from "./receipts.ts";
import { answerIq, oversizedBounce } from "./service-iq.ts";
import { Subscriptions } from "./subscriptions.ts";
import { RecentChats } from "./threads.ts";

export interface XmppAdapterOptions {
  component: Component;
  gateway: Pick<Gateway, "receive">;
  /** The users' profiles (store.users.list), read again when a JID is not in the cache. */
  listUsers: () => Promise<Profile[]>;
  logger: Logger;
  /** How long send() waits for a receipt from a client that never sent one; then delivered. */
  receiptWaitMs?: number;
  /** How long send() waits for a receipt from a client that acks; then retried. */
  receiptTimeoutMs?: number;
  /**
   * In a cluster (docs/cluster.md "Ownership"): the component runs on the node holding the
   * `xmpp` lease, and the other nodes send through it.
   */
  cluster?: { ownership: LinkOwnership; relay: ComponentRelay };
}

export class XmppAdapter implements Adapter, IndicatorTarget {
  readonly name = "xmpp";
  readonly presence = new PresenceTracker();
  readonly receipts: Receipts;
  readonly #opts: XmppAdapterOptions;
  readonly #users: UserDirectory;
  readonly #subs: Subscriptions;
  readonly #pep: PepPublisher;
  readonly #recent = new RecentChats();
  #started = false;
  /** Cluster: whether this node runs the component now (it holds the lease). */
  #connected = false;
  #unhold: (() => void) | undefined;
  /**
   * Cluster, on a node without the component: JIDs the running node said were away, until the
   * event port says they are back (heardAvailable); so a held delivery is not released at once.
   */
  readonly #away = new Set<string>();

  constructor(opts: XmppAdapterOptions) {
    this.#opts = opts;
    this.#users = new UserDirectory(
      opts.listUsers,
      (added) => this.#subs.ask(added),
      (err) => opts.logger.error({ err }, "xmpp: cannot read users"),
    );
    this.receipts = new Receipts({
      waitMs: opts.receiptWaitMs ?? 800,
      timeoutMs: opts.receiptTimeoutMs ?? 10_000,
    });
    const { connection, iq } = opts.component;
    this.#subs = new Subscriptions({
      connection,
      users: this.#users,
      presence: this.presence,
      logger: opts.logger,
      refreshUsers: () => this.#users.reload(),
    });
    this.#pep = new PepPublisher(iq, opts.logger);
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
    const cluster = this.#opts.cluster;
    if (!cluster) return this.#connect();
    cluster.ownership.own("xmpp", {
      start: async () => {
        await this.#connect();
        this.#unhold = cluster.relay.hold((p) => this.sendPrepared(p));
      },
      stop: () => this.#disconnect(),
    });
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#disconnect();
  }

  async #connect(): Promise<void> {
    if (this.#connected) return;
    this.#connected = true;
    const { connection } = this.#opts.component;
    connection.on("stanza", this.#onStanza);
    connection.on("oversized", this.#onOversized);
    connection.on("online", this.#onOnline);
    connection.on("disconnect", this.#onDisconnect);
    await this.#users.reload();
    this.#opts.component.start();
  }

  async #disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    this.#unhold?.();
    this.#unhold = undefined;
    const { connection } = this.#opts.component;
    connection.off("stanza", this.#onStanza);
    connection.off("oversized", this.#onOversized);
    connection.off("online", this.#onOnline);
    connection.off("disconnect", this.#onDisconnect);
    this.receipts.lost("xmpp adapter stopping");
    await this.#opts.component.stop();
  }

  /** Called with `xmpp:<bare JID>` when that JID comes online: the outbox releases held rows. */
  onAvailable(listener: AvailabilityListener): () => void {
    return this.presence.onAvailable((bare) => listener({ scheme: "xmpp", jid: bare }));
  }

  /** Cluster: the event port says this JID is available again (on whichever node saw it). */
  heardAvailable(bare: string): void {
    this.#away.delete(bare);
  }

  isAvailable(address: Address): boolean {
    if (address.scheme !== "xmpp") return false;
    let bare: string;
    try {
      bare = bareJid(address.jid);
    } catch {
      return false;
    }
    if (this.#remote()) return this.#opts.cluster!.relay.elsewhere() && !this.#away.has(bare);
    if (this.#opts.component.connection.status !== "online") return false;
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
    let from: string;
    try {
      from = senderJid(communication, this.domain);
    } catch (err) {
      if (err instanceof JidError) throw new DeliveryError(err.message, true, { cause: err });
      throw err;
    }
    const id = target.deliveryId;
    const thread = communication.id;
    const stanza = chatMessage({ to: address.jid, from, id, rendition, thread });
    await this.#out({ to: address.jid, stanza, thread }, target.written);
    return id;
  }

  /** The indicator as a chat line with our element; also to the client's PEP node if allowed. */
  async sendIndicator(address: Address, indicator: VoicemailIndicator, id: string): Promise<void> {
    if (address.scheme !== "xmpp")
      throw new DeliveryError("xmpp adapter cannot reach this address", true);
    const from = `${escapeLocal(indicator.userId)}@${this.domain}`;
    const stanza = indicatorMessage({ to: address.jid, from, id, indicator });
    await this.#out({ to: address.jid, stanza, pep: pepPublish(indicator) });
  }

  /**
   * Sends a stanza made ready here or on another node of the cluster and waits for its receipt
   * (`written` is told in between); a chat message is remembered for the reply thread, an
   * indicator's PEP publish follows it.
   */
  async sendPrepared(p: PreparedStanza, written?: () => void): Promise<void> {
    const bare = await this.#ready(p.to);
    if (p.stanza.attrs.to === undefined || this.#bare(p.stanza.attrs.to) !== bare)
      throw new DeliveryError("xmpp stanza addressed to another JID than its target", true);
    await this.#sendAndAwait(p.stanza, bare, written);
    if (p.thread !== undefined && p.stanza.attrs.from)
      this.#recent.sent(bare, p.stanza.attrs.from, p.thread);
    if (p.pep) await this.#pep.publish(bare, p.pep);
  }

  /** Cluster: another node runs the component, so what this one sends goes through it. */
  #remote(): boolean {
    return this.#opts.cluster !== undefined && !this.#connected;
  }

  async #out(p: PreparedStanza, written?: () => void): Promise<void> {
    const bare = this.#bare(p.to);
    if (!this.#remote()) return this.sendPrepared(p, written);
    try {
      await this.#opts.cluster!.relay.forward(p);
    } catch (err) {
      if (err instanceof TargetUnavailableError) this.#away.add(bare);
      throw err;
    }
  }

  /** A target's bare JID; one that cannot be a JID is a permanent failure. */
  #bare(jid: string): string {
    try {
      return bareJid(jid);
    } catch (err) {
      if (err instanceof JidError) throw new DeliveryError(err.message, true, { cause: err });
      throw err;
    }
  }

  /** The bare JID of a reachable target; throws TargetUnavailableError to have it held. */
  async #ready(jid: string): Promise<string> {
    const bare = this.#bare(jid);
    if (this.#users.userOf(bare) === undefined && this.presence.state(bare) === undefined)
      await this.#users.reload();
    if (!this.isAvailable({ scheme: "xmpp", jid })) throw this.#unreachable(bare);
    return bare;
  }

  /**
   * A user's client waits (held) for its presence, which follows every reconnect, so a server
   * restart outlasting the retries loses nothing; a stranger's JID, whose presence we never see,
   * is retried with backoff instead.
   */
  #unreachable(bare: string, cause?: unknown): Error {
    const online = this.#opts.component.connection.status === "online";
    if (online || this.#users.userOf(bare) !== undefined)
      return new TargetUnavailableError(
        online ? `xmpp ${bare} is not available` : "xmpp component is not connected",
        { cause },
      );
    return new DeliveryError("xmpp component is not connected", false, { cause });
  }

  async #sendAndAwait(stanza: XmlElement, bare: string, written?: () => void): Promise<void> {
    const id = stanza.attrs.id ?? "";
    const answered = this.receipts.expect(id, bare);
    // a disconnect during the write rejects it before anyone awaits it
    answered.catch(() => {});
    try {
      await this.#opts.component.connection.send(stanza);
    } catch (err) {
      this.receipts.cancel(id);
      if (err instanceof NotConnectedError) throw this.#unreachable(bare, err);
      const tooBig = err instanceof RangeError;
      throw new DeliveryError(`xmpp send failed: ${(err as Error).message}`, tooBig, {
        cause: err,
      });
    }
    written?.();
    await answered;
  }

  readonly #onOnline = (): void => {
    this.#subs.reset();
    this.#pep.reset();
    void this.#users.reload().then(() => this.#subs.ask(this.#users.clientJids()));
  };

  readonly #onDisconnect = (): void => {
    this.presence.clear();
    this.receipts.lost("component disconnected");
  };

  readonly #onOversized = (top: XmlElement): void => {
    const bounce = oversizedBounce(top);
    if (bounce) void this.#sendQuietly(bounce);
  };

  readonly #onStanza = (stanza: XmlElement): void => {
    if (stanza.name === "presence") this.#subs.onPresence(stanza);
    else if (stanza.name === "iq") {
      const answer = answerIq(stanza);
      if (answer) void this.#sendQuietly(answer);
    } else if (stanza.name === "message") {
      void this.#onMessage(stanza).catch((err) =>
        this.#opts.logger.error({ err }, "xmpp: cannot handle a message"),
      );
    }
  };

  async #onMessage(stanza: XmlElement): Promise<void> {
    const { id, type, from } = stanza.attrs;
    if (type === "error") {
      if (!id) return;
      const error = StanzaError.fromStanza(stanza);
      const bare = this.receipts.bounced(id, error);
      if (bare !== undefined && /^(service|recipient)-unavailable$/.test(error.condition))
        this.presence.unavailable(bare);
      return;
    }
    const received = child(stanza, "received", NS_RECEIPTS);
    if (received) {
      const ackId = received.attrs.id ?? id;
      if (ackId && from) {
        try {
          this.receipts.received(ackId, bareJid(from));
        } catch {
          // a receipt from an unparsable JID acknowledges nothing
        }
      }
      return;
    }
    await receiveChat(
      {
        domain: this.domain,
        users: this.#users,
        recent: this.#recent,
        gateway: this.#opts.gateway,
        logger: this.#opts.logger,
        refreshUsers: () => this.#users.reload(),
        send: (s) => this.#sendQuietly(s),
      },
      stanza,
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
