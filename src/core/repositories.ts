// The repositories the systems use, as ports (docs/architecture.md "Layers"): the users, their
// voicemail messages and the audio blobs. The store implements them (store/types.ts) over kysely;
// an adapter takes them without importing the store.

import type { Profile } from "./profile.ts";

export interface UserSecrets {
  /** scrypt hash string (store/secrets.ts), never the password itself. */
  passwordHash?: string;
  pinHash?: string;
  /**
   * SIP digest HA1 values, hex: H(userId:realm:password) for MD5 and SHA-256 (RFC 8760). Bound to
   * the realm (sip.domain) they were computed for; store/secrets.ts sipDigestSecrets makes them.
   */
  sipDigest?: SipDigestSecrets;
  /**
   * When the SIP secret `sipDigest` was made from was issued; absent when the values came from
   * the web password (users from before migration 005, until their secret is rotated).
   */
  sipSecretAt?: Date;
}

export interface SipDigestSecrets {
  realm: string;
  md5: string;
  sha256: string;
}

export interface UserRecord {
  profile: Profile;
  secrets: UserSecrets;
  createdAt: Date;
  updatedAt: Date;
}

export interface UsersRepo {
  /** Throws ConflictError when the id, an email, a phone or a JID already belongs to a user. */
  create(profile: Profile, secrets: UserSecrets): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  list(): Promise<Profile[]>;
  /** Replaces the profile (and the secrets given); ConflictError as create; NotFoundError if absent. */
  update(id: string, profile: Profile, secrets?: UserSecrets): Promise<UserRecord>;
  /** Replaces only the SIP digest values (a rotated SIP secret); false when there is no such user. */
  setSipDigest(id: string, digest: SipDigestSecrets, issuedAt: Date): Promise<boolean>;
  /** Users whose phones still register with digest values of their web password (before 005). */
  countPasswordSipDigests(): Promise<number>;
  /**
   * The user row with its addresses and sessions only; erasing a user and all their data is the
   * store's eraseUser (store/user-erasure.ts).
   */
  delete(id: string): Promise<boolean>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<Profile | undefined>;
  findByPhone(number: string): Promise<Profile | undefined>;
  /** By bare JID, case-insensitive; a resource is ignored. */
  findByJid(jid: string): Promise<Profile | undefined>;
}

export interface VoicemailRecord {
  id: string;
  userId: string;
  communicationId?: string;
  ani?: string;
  dnis?: string;
  receivedAt: Date;
  durationMs: number;
  audioId: string;
  urgent: boolean;
  state: "new" | "saved";
  transcript?: string;
}

export interface VoicemailRepo {
  insert(v: VoicemailRecord): Promise<void>;
  get(userId: string, id: string): Promise<VoicemailRecord | undefined>;
  /** Newest first; `limit` keeps only the newest ones. */
  list(userId: string, opts?: { limit?: number }): Promise<VoicemailRecord[]>;
  update(
    userId: string,
    id: string,
    patch: Partial<Pick<VoicemailRecord, "state" | "transcript">>,
  ): Promise<boolean>;
  delete(userId: string, id: string): Promise<boolean>;
  /**
   * Messages received before `before`, oldest first, of one user or (without `userId`) of all:
   * what a retention sweep deletes.
   */
  receivedBefore(
    before: Date,
    opts?: { userId?: string; limit?: number },
  ): Promise<VoicemailRecord[]>;
  counts(
    userId: string,
  ): Promise<{ new: number; old: number; urgentNew: number; urgentOld: number }>;
}

/** Audio blobs (WAV). SQLite: files under dataDir/audio; PostgreSQL: a bytea table (see README). */
export interface AudioStore {
  put(id: string, data: Uint8Array, contentType: string): Promise<void>;
  get(id: string): Promise<{ data: Uint8Array; contentType: string } | undefined>;
  delete(id: string): Promise<void>;
  /** Ids of the blobs last written in [since, before) (the candidates of an orphan sweep). */
  listWrittenBetween(since: Date, before: Date): Promise<string[]>;
  /** Removes what writes cut short (a crash mid-write) left before `cutoff`; returns how many. */
  dropPartialWrites(cutoff: Date): Promise<number>;
}

/** What a voicemail system reads and writes. */
export interface MailboxRepos {
  readonly users: UsersRepo;
  readonly voicemail: VoicemailRepo;
  readonly audio: AudioStore;
}

/**
 * A phone's registration as every node of a cluster sees it (docs/cluster.md "Phones"): the
 * binding (RFC 3261 §10.3) and the node whose listener took the REGISTER and holds its flow.
 */
export interface SharedRegistration {
  aor: string;
  /** The Contact's comparison key: with `aor`, which binding this is. */
  contactKey: string;
  userId: string;
  contact: string;
  expiresAt: Date;
  registeredAt: Date;
  nodeId: string;
  /** The proxies the REGISTER came through (RFC 3327): any node reaches the phone through them. */
  path?: string[];
  /**
   * The phone registered its own address over UDP (the Contact is where the REGISTER came
   * from), so any node reaches it there; otherwise only its node's flow does (TCP/TLS, NAT).
   */
  direct: boolean;
}

/** The registrations of every node (store/registrations-repo.ts), written by each node for its own. */
export interface RegistrationsRepo {
  /** Stores the binding as this node's (a REGISTER elsewhere before it had named another node). */
  put(registration: SharedRegistration): Promise<void>;
  /** Removes the binding while `nodeId` still holds it: a REGISTER on another node since keeps it. */
  remove(aor: string, contactKey: string, nodeId: string): Promise<void>;
  /** The user's bindings live at `now`, the most recently registered first. */
  ofUser(userId: string, now: Date): Promise<SharedRegistration[]>;
  /** Deletes bindings that expired before `before`; returns how many. */
  sweep(before: Date): Promise<number>;
}

/**
 * A phone's MWI subscription as every node of a cluster sees it (docs/cluster.md "Phones"): the
 * node that holds its dialog, and the dialog's state (opaque here; the SIP layer's) so another
 * node can take it over when that node dies.
 */
export interface SharedSubscription {
  callId: string;
  localTag: string;
  userId: string;
  nodeId: string;
  expiresAt: Date;
  /** The dialog and subscription as the telephone system wrote them (JSON). */
  state: string;
}

/** The phones' subscriptions of every node (store/phone-subscriptions-repo.ts). */
export interface PhoneSubscriptionsRepo {
  put(subscription: SharedSubscription): Promise<void>;
  /** Removes it while `nodeId` still holds it. */
  remove(callId: string, localTag: string, nodeId: string): Promise<void>;
  /** The nodes other than `nodeId` holding subscriptions. */
  holders(exceptNodeId: string): Promise<string[]>;
  /**
   * Moves the live subscriptions `from` holds to `to` and returns them; of two nodes adopting at
   * once each row goes to one. Lapsed ones are deleted.
   */
  adopt(from: string, to: string, now: Date): Promise<SharedSubscription[]>;
}
