// The ports between the gateway and the adapters (docs/architecture.md "Layers"): an adapter turns
// native traffic into communication drafts for the gateway's sink, and sends renditions to the
// addresses it serves.

import type { Address } from "./address.ts";
import type { Communication, NativeRef } from "./communication.ts";
import type { MwiReport, VoicemailIndicator } from "./mwi.ts";
import type { AudioFormat, VoicemailSystem } from "./profile.ts";
import type { Rendition } from "./rendition.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A target the adapter adds to the routed ones. `delivered` means the adapter already delivered
 * it itself (a voicemail relayed live into a legacy box); without it the outbox delivers it.
 */
export interface ExtraTarget {
  address: Address;
  delivered?: { nativeId: string };
}

/**
 * What an inbound adapter hands the gateway: a communication without the ids the gateway assigns.
 * `replyTo` lists native ids of messages this one answers (In-Reply-To, References), newest last;
 * the gateway resolves them to a thread. An extra target replaces a routed one with the same
 * canonical address.
 */
export type CommunicationDraft = DistributiveOmit<Communication, "id" | "thread" | "userId"> & {
  userId?: string;
  replyTo?: NativeRef[];
  extraTargets?: ExtraTarget[];
};

/**
 * Copies of a voicemail deposit made while it is recorded (README "Dual deposit into legacy boxes"): the telephone
 * system opens one per deposit and feeds it each recorded 20 ms frame (8 kHz PCM; the array is
 * reused after `write` returns). What a copy reached or missed becomes extra targets.
 */
export interface LiveDeposits {
  open(call: { userId: string; callId: string; party: LiveDepositParty }): LiveDepositCopy;
}

/** The caller and the dialled number, as the telephone system knows them. */
export interface LiveDepositParty {
  ani?: string;
  callerName?: string;
  dnis?: string;
  /** The number the call was forwarded from (Diversion), which the message is filed under. */
  divertedFrom?: string;
}

export interface LiveDepositCopy {
  write(pcm: Int16Array): void;
  /** The recording was kept and is over: ends the copies and says where each one stands. */
  finish(): Promise<ExtraTarget[]>;
  /** The recording was dropped or never began (or finish came first): ends what is left. */
  close(): void;
}

/**
 * The mailbox message a voicemail deposit files with its communication: the gateway writes it
 * in the same transaction as the communication and its deliveries (a deposit is one write).
 */
export interface MailboxEntry {
  /** The message id in the box (unique across boxes). */
  id: string;
  audioId: string;
  durationMs: number;
  ani?: string;
  dnis?: string;
  transcript?: string;
  urgent?: boolean;
}

export interface ReceiveOptions {
  /** Filed in the receive transaction: it commits with the communication or not at all. */
  mailboxEntry?: MailboxEntry;
  /** Runs once the communication (and entry) have committed, never before (an MWI change). */
  afterCommit?: (c: Communication) => void;
}

export interface Gateway {
  /** Routes and stores a communication with its deliveries; resolves once both are durable. */
  receive(draft: CommunicationDraft, options?: ReceiveOptions): Promise<Communication>;
  /** The user an address reaches (mail to one of their emails, a call to one of their phones). */
  resolveUser(address: Address): Promise<string | undefined>;
}

export interface DeliveryTarget {
  deliveryId: string;
  address: Address;
  attempt: number;
  /** Native ids (on the target's system) of the thread's earlier messages, oldest first. */
  references?: string[];
  /**
   * Called by an adapter once the message is written and all that is left is the target's
   * confirmation (a receipt, an ack): the outbox gives the delivery's slot to other work while
   * it waits. An adapter that never calls it keeps the slot until send settles.
   */
  written?: () => void;
}

export interface Adapter {
  readonly name: string;
  /** Whether this adapter sends to the address (by scheme and, e.g., domain). */
  handles(address: Address): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Delivers one rendition. Resolves with the native id when the target system has it;
   * throws TargetUnavailableError to have the outbox hold the delivery, DeliveryError otherwise.
   */
  send(
    communication: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string | undefined>;
  /**
   * For targets that come and go (IM clients): whether the address can take a delivery now. The
   * outbox asks after holding a delivery, so a client that came back in between is not missed.
   */
  isAvailable?(address: Address): boolean;
}

/** Adapters that know when a target comes back (a web client reconnects) tell the outbox. */
export type AvailabilityListener = (address: Address) => void;

/**
 * Links to stored audio that work without a bearer token (a mail client, a chat client), for a
 * limited time. Implemented by the HTTP layer (signed, expiring URLs) and injected, so the gateway
 * never depends on http.
 */
export interface AudioLinks {
  /**
   * An absolute URL serving the audio blob `audioId` until `ttlMs` from now (default: config),
   * re-encoded as `format` when that is not the stored WAV.
   */
  urlFor(audioId: string, ttlMs?: number, format?: AudioFormat): string;
}

/**
 * Where MWI sources report (the gateway's MWI service, README "Message waiting"). Reports for a
 * system the user has switched off are dropped by the service, so a source need not check.
 */
export interface MwiSink {
  /**
   * Applies reports in the order they are made, per user, whether or not the previous one has
   * settled: a source hands each on as it comes, and a burst for one system may be merged into
   * its latest state.
   */
  report(userId: string, systemId: string, report: MwiReport): Promise<void>;
}

/**
 * A kind of voicemail system the MWI service watches (SIP subscriptions, SMDI links). The service
 * calls `sync` at start-up and whenever a user's profile or MWI switches change, with every
 * system of that kind the profile names and whether MWI is on for it; a user no longer present
 * is synced with an empty list. The source starts, keeps or stops watching to match (SIP:
 * SUBSCRIBE / SUBSCRIBE with Expires 0; SMDI: accept / answer BLK) and reports to the sink.
 */
export interface MwiSource<K extends VoicemailSystem["kind"] = VoicemailSystem["kind"]> {
  readonly kind: K;
  sync(
    userId: string,
    systems: Array<{ system: Extract<VoicemailSystem, { kind: K }>; enabled: boolean }>,
  ): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An IM adapter that can show the voicemail indicator (web client, XMPP). The MWI service sends
 * the latest indicator per client; `id` is stable per (client, version) so a retry is shown once.
 * Throws TargetUnavailableError while the client is away; the service keeps the latest
 * indicator and sends it when the adapter's availability listener says the client is back.
 */
export interface IndicatorTarget {
  handles(address: Address): boolean;
  isAvailable(address: Address): boolean;
  sendIndicator(address: Address, indicator: VoicemailIndicator, id: string): Promise<void>;
}

/**
 * In a cluster (docs/cluster.md "Sticky connections") a client's connection stays on the node it
 * reached, and that node delivers to it for every node: an adapter whose target is not connected
 * here forwards through the relay, and offers its own connections through it. `target` is a
 * formatted address; `body` is what the holder writes to the connection, `id` what it acks.
 */
export interface TargetRelay {
  /** Whether another node holds `target` now, as far as this node has heard. */
  heldElsewhere(target: string): boolean;
  /**
   * Hands the event to the node holding `target` and resolves once its delivery did, with what
   * the holder's delivery resolved to (a call's Call-ID). Rejects with TargetUnavailableError
   * when no node holds it (or it does not answer within `timeoutMs`, default the relay's), with
   * DeliveryError — permanent as the holder's was — when the holder's delivery failed.
   */
  forward(
    target: string,
    id: string,
    body: string,
    options?: { timeoutMs?: number },
  ): Promise<string | undefined>;
  /**
   * Offers this node's connection for `target`; a string `deliver` resolves to goes back to the
   * forwarding node. Returns what withdraws the offer.
   */
  hold(target: string, deliver: (id: string, body: string) => Promise<unknown>): () => void;
}

/** Work that runs only while this node owns it: an external link (docs/cluster.md "Ownership"). */
export interface OwnedWork {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One owner per external link in a cluster (an SMDI link, the subscriptions to legacy boxes):
 * `own` starts the work when this node takes the link's lease and stops it when the node loses
 * it; when the owner dies, another node's `own` starts it there. A single node owns everything
 * and needs no such port.
 */
export interface LinkOwnership {
  own(name: string, work: OwnedWork): void;
  /** Whether the node with this id runs now (it holds its own id's lease); rejects when it cannot tell. */
  nodeRunning(nodeId: string): Promise<boolean>;
}

/** Where an inbound listener is bound (port 0 resolved), by a name such as `sip` or `smtp`. */
export type BoundListeners = Record<string, { host: string; port: number }>;

/**
 * The one face of a communication system (docs/adding-a-system.md): what it offers the
 * gateway. Every part is optional; the composition root registers the adapters and indicator
 * targets, hands the MWI sources to the MWI service, starts the systems in registry order and
 * stops them in reverse. Availability goes out on the event port (`targetAvailable`).
 */
export interface System {
  readonly name: string;
  /** Outbound: registered with the outbox before anything starts. */
  readonly adapters?: readonly Adapter[];
  /** IM clients that show the voicemail indicator. */
  readonly indicatorTargets?: readonly IndicatorTarget[];
  /** Voicemail systems the MWI service watches. */
  readonly mwiSources?: readonly MwiSource[];
  /** Inbound: starts listening once the gateway runs; resolves with what it bound. */
  start?(): Promise<BoundListeners>;
  /** Stops what `start` began and what the system holds. */
  stop?(): Promise<void>;
}
