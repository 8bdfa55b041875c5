// The store's contract: the repositories the gateway, HTTP API and CLI use (those the systems
// use are ports in core/repositories.ts, re-exported here). Implemented over
// kysely for SQLite (embedded default) and PostgreSQL by store/open.ts; the same test suite runs
// on both dialects.

import type { Communication } from "../core/communication.ts";
import type { Delivery, DeliveryState } from "../core/delivery.ts";
import type { VoicemailIndicator } from "../core/mwi.ts";
import type { PinLockStore } from "../core/pin-lockout.ts";
import type {
  AudioStore,
  PhoneSubscriptionsRepo,
  RegistrationsRepo,
  UsersRepo,
  VoicemailRepo,
} from "../core/repositories.ts";
import type { RouteOptions } from "../core/routing.ts";
import type { GroupCommitOptions } from "./group-commit.ts";
import type { UserErasure } from "./user-erasure.ts";

export type {
  AudioStore,
  SipDigestSecrets,
  UserRecord,
  UserSecrets,
  UsersRepo,
  VoicemailRecord,
  VoicemailRepo,
} from "../core/repositories.ts";

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  source?: string;
  userAgent?: string;
}

/** Issued session tokens (http/tokens.ts): a token is valid only while its row is here. */
export interface SessionsRepo {
  create(session: SessionRecord): Promise<void>;
  /** The session when it exists, belongs to `userId` and has not expired at `now`. */
  get(userId: string, id: string, now: Date): Promise<SessionRecord | undefined>;
  /** The user's unexpired sessions, newest first; expired ones are removed on the way. */
  listForUser(userId: string, now: Date): Promise<SessionRecord[]>;
  /** false when there was no such session of that user. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Every session of the user, but `exceptId` when given; returns how many went. */
  deleteForUser(userId: string, exceptId?: string): Promise<number>;
}

export interface NewDelivery {
  target: string;
  /** The options of the route that chose the target, as matched now (render reads them). */
  route?: RouteOptions;
  expiresAt?: Date;
  /** Set when the adapter delivered it already (a live relay): the row starts as delivered. */
  deliveredAt?: Date;
  /** The id the target system gave it, with deliveredAt. */
  nativeId?: string;
  /** Claimed by this node's worker as it is stored: the row starts inflight, leased until then. */
  claimedUntil?: Date;
}

export interface CommunicationWithDeliveries {
  communication: Communication;
  deliveries: Delivery[];
}

export interface CommunicationsRepo {
  /**
   * Writes the communication and one delivery per target in one transaction: pending, or
   * delivered when the target says so. A second call with the same communication id writes
   * nothing new and returns the existing rows.
   */
  insertWithDeliveries(c: Communication, targets: NewDelivery[]): Promise<Delivery[]>;
  get(id: string): Promise<Communication | undefined>;
  /** The communication that carries this native id (e.g. an email Message-ID), inbound or sent. */
  findByNativeId(system: string, nativeId: string): Promise<Communication | undefined>;
  /** Records a native id given to a communication by a target system (the Message-ID we sent). */
  addNativeId(communicationId: string, system: string, nativeId: string): Promise<void>;
  /** Every native id recorded for the communication (its own nativeRefs and addNativeId ones). */
  nativeIdsOf(communicationId: string): Promise<Array<{ system: string; nativeId: string }>>;
  /** Newest first. */
  listForUser(
    userId: string,
    opts?: { limit?: number; before?: Date },
  ): Promise<CommunicationWithDeliveries[]>;
}

/**
 * How many inflight deliveries one target's share (core shareOf) may have: `sending` hold a
 * worker's slot, up to `awaiting` more are written and wait for the target's confirmation.
 * Inflight rows of other nodes all count as sending; this node's waiting ones are told.
 */
export interface TargetCap {
  sending: number;
  awaiting: number;
  /** This node's deliveries waiting for confirmation, per share. */
  awaitingHere: ReadonlyMap<string, number>;
}

export interface OutboxRepo {
  /**
   * Takes up to `limit` due deliveries (pending with nextAttemptAt ≤ now, or inflight whose lease
   * ran out) and marks them inflight with leaseUntil = now + leaseMs and attempts + 1. On
   * PostgreSQL with FOR UPDATE SKIP LOCKED so that several workers never take the same row.
   */
  /**
   * Leases due rows; with `perTarget`, at most that many inflight per target (any node's), or
   * with a TargetCap that many being sent plus that many waiting for confirmation.
   */
  claimDue(
    now: Date,
    limit: number,
    leaseMs: number,
    perTarget?: number | TargetCap,
  ): Promise<Delivery[]>;
  markDelivered(id: string, at: Date, nativeId?: string): Promise<void>;
  /**
   * Pushes an inflight row's lease out to `until` while its delivery is still under way (a call
   * that plays for minutes); false when the row is no longer inflight.
   */
  renewLease(id: string, until: Date): Promise<boolean>;
  /** Back to pending, to be tried again at `next`. */
  markRetry(id: string, error: string, next: Date): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
  /** Target unavailable: held until released or until `expiresAt`. */
  hold(id: string, reason: string, expiresAt: Date): Promise<void>;
  /** Held deliveries to this target become pending (due now); returns how many. */
  releaseHeld(target: string, now: Date): Promise<number>;
  /** Held or pending deliveries whose expiresAt has passed become expired; returns how many. */
  expireDue(now: Date): Promise<number>;
  get(id: string): Promise<Delivery | undefined>;
  /**
   * Single-node start-up: every inflight row goes back to pending, due now (nothing else can be
   * working on it). Returns how many. Multi-node deployments rely on lease expiry instead.
   */
  requeueInflight(now: Date): Promise<number>;
  /** The earliest nextAttemptAt among pending rows (for the worker's timer). */
  nextDueAt(): Promise<Date | undefined>;
  countByState(): Promise<Array<{ state: DeliveryState; scheme: string; count: number }>>;
}

export interface MwiStateRow {
  userId: string;
  systemId: string;
  newCount: number;
  oldCount: number;
  urgentNew: number;
  urgentOld: number;
  enabled: boolean;
  lastCaller?: { ani?: string; dnis?: string; at: Date };
  updatedAt: Date;
}

export interface MwiRepo {
  get(userId: string, systemId: string): Promise<MwiStateRow | undefined>;
  listForUser(userId: string): Promise<MwiStateRow[]>;
  /** Inserts or replaces the row. */
  put(row: MwiStateRow): Promise<void>;
  setEnabled(userId: string, systemId: string, enabled: boolean): Promise<void>;
}

/** The latest indicator for one IM client of a user, and what that client already has. */
export interface MwiIndicatorSlot {
  userId: string;
  clientId: string;
  /** Canonical client address (formatAddress). */
  target: string;
  version: number;
  indicator: VoicemailIndicator;
  /** The highest version the client confirmed; 0 when none. */
  deliveredVersion: number;
  expiresAt: Date;
}

export interface MwiIndicatorRepo {
  /** One above every version stored for the user (1 for a user with none). */
  nextVersion(userId: string): Promise<number>;
  /**
   * A version no other caller — on any node — gets for this user, above every one stored: the
   * user's counter row, bumped in one atomic write (started above the stored indicators).
   */
  takeVersion(userId: string): Promise<number>;
  /** Replaces the client's slot with a newer indicator; what the client has is kept. */
  put(slot: Omit<MwiIndicatorSlot, "deliveredVersion">): Promise<void>;
  /** Slots whose latest version the client lacks and that have not expired, oldest first. */
  undelivered(now: Date, target?: string): Promise<MwiIndicatorSlot[]>;
  /** Records that the client has `version` (never lowers what it had). */
  markDelivered(userId: string, clientId: string, version: number): Promise<void>;
  /** markDelivered for each, in one transaction. */
  markDeliveredAll(
    marks: ReadonlyArray<{ userId: string; clientId: string; version: number }>,
  ): Promise<void>;
  /** Drops the slots of the user's clients not in `clientIds` (a client removed from the profile). */
  retain(userId: string, clientIds: readonly string[]): Promise<void>;
  /**
   * One change of a user's MWI in one transaction: the changed state row (when given), the new
   * slots, and (unless `retainOthers` is false) the removal of slots of clients not among them.
   */
  commit(
    userId: string,
    slots: ReadonlyArray<Omit<MwiIndicatorSlot, "deliveredVersion">>,
    state?: MwiStateRow,
    retainOthers?: boolean,
  ): Promise<void>;
}

/** The repositories whose writes may share one transaction (Store.transaction). */
export interface StoreTransaction {
  readonly communications: CommunicationsRepo;
  readonly outbox: OutboxRepo;
  readonly voicemail: VoicemailRepo;
  /** Runs `hook` once the transaction has committed; never when it rolls back. */
  onCommit(hook: () => void): void;
}

/** Values the nodes of a cluster share, agreed on once (store/cluster-settings-repo.ts). */
export interface ClusterSettings {
  /** The stored value of `name`, or `proposal` when none was stored yet (then stored). */
  agree(name: string, proposal: string): Promise<string>;
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly communications: CommunicationsRepo;
  readonly outbox: OutboxRepo;
  readonly mwi: MwiRepo;
  readonly mwiIndicators: MwiIndicatorRepo;
  readonly voicemail: VoicemailRepo;
  /** Wrong voicemail PINs per mailbox (core/pin-lockout.ts). */
  readonly pinLockouts: PinLockStore;
  /** Values every node of a cluster shares (docs/cluster.md). */
  readonly clusterSettings: ClusterSettings;
  /** Phones' registrations of every node, for cluster mode (docs/cluster.md "Phones"). */
  readonly registrations: RegistrationsRepo;
  /** Phones' MWI subscriptions of every node, for cluster mode (docs/cluster.md "Phones"). */
  readonly phoneSubscriptions: PhoneSubscriptionsRepo;
  readonly audio: AudioStore;
  /**
   * Runs `fn` in one transaction: what it writes through `tx` commits together or not at all.
   * Inside, use only `tx` (on SQLite the store's other repositories wait for the transaction).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Erases the user and everything that refers to them (store/user-erasure.ts): the rows in one
   * transaction, then their audio. undefined when there is no such user.
   */
  eraseUser(userId: string): Promise<UserErasure | undefined>;
  /** Those of `audioIds` that a communication or a voicemail message names. */
  audioInUse(audioIds: readonly string[]): Promise<Set<string>>;
  /** Answers when the database is reachable (for /healthz). */
  ping(): Promise<boolean>;
  /**
   * PostgreSQL: writes a 64 KiB row and rolls it back, rejecting when the server cannot write
   * (disk_full) — the storage probe's test write. Absent on SQLite, whose file is in dataDir.
   */
  probeWrite?(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** "sqlite" (file dataDir/omnivox.sqlite), ":memory:" or a postgres:// URL. */
  database: string;
  dataDir: string;
  /** PostgreSQL schema to use (created if absent); tests use one per run. Default "public". */
  pgSchema?: string;
  /** How concurrent transactions share a commit (default: a 1 ms window, 256 writers). */
  groupCommit?: GroupCommitOptions;
}
