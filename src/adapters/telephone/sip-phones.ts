// Users' phones on our SIP endpoint: REGISTER with digest (credentials from the user's profile),
// MWI subscriptions answered from our voicemail store, and whether a call to a user's number is
// that user calling (their mailbox, no deposit): proved by digest or a trusted PAI, never by address.

import { hkdfSync } from "node:crypto";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { MwiCounts } from "../../core/mwi.ts";
import type { MailboxRepos, UsersRepo } from "../../core/repositories.ts";
import type { MessageSummary } from "../../protocols/mwi/index.ts";
import {
  type DigestAlgorithm,
  DigestChallenger,
  DigestVerifier,
  NonceService,
} from "../../protocols/sip/auth/index.ts";
import type { DialogRegistry } from "../../protocols/sip/dialog/registry.ts";
import type { IncomingRequest, SipEndpoint } from "../../protocols/sip/endpoint.ts";
import {
  type Binding,
  type BindingListener,
  Registrar,
} from "../../protocols/sip/registrar/index.ts";
import { type CallerCheck, checkCaller } from "../../protocols/sip/usage/caller-identity.ts";
import type { DigestGateOptions } from "../../protocols/sip/usage/digest-gate.ts";
import {
  DigestThrottle,
  type DigestThrottleOptions,
} from "../../protocols/sip/usage/digest-throttle.ts";
import {
  mwiNotifier,
  type StoredSubscription,
  type SubscriptionShare,
} from "../../protocols/sip/usage/mwi/index.ts";
import { registerModule } from "../../protocols/sip/usage/register.ts";

export interface SipPhones {
  /** Tells the user's subscribed phones their mailbox changed. */
  notifyChanged(userId: string): void;
  /**
   * Whether the caller of this INVITE proved to be `calledUser` (README "Who is calling"); sends
   * the digest challenge itself ("answered") when the call claims to come from that user.
   */
  identifyCaller(req: IncomingRequest, calledUser: string, trusted: boolean): Promise<CallerCheck>;
  /** The live bindings of every AOR the user owns: where a call to the user's phones goes. */
  bindingsOf(userId: string): Binding[];
  /** Every change of this node's bindings (added, refreshed, removed, expired). */
  onBindings(listener: BindingListener): () => void;
  /** Takes over a phone's subscription a node that died held (cluster, docs/cluster.md "Phones"). */
  adopt(subscription: StoredSubscription): void;
  stop(): void;
}

/** What the phones take from the `sip` section. */
export interface SipPhonesOptions {
  /** The digest realm and the host of each AOR. */
  domain: string;
  digestAlgorithms: readonly DigestAlgorithm[];
  authThrottle: Pick<DigestThrottleOptions, "source" | "account" | "maxKeys">;
  /** Message-summary NOTIFYs also to registered phones that never subscribed. */
  unsolicitedMwi: boolean;
}

export interface SipPhonesDeps {
  endpoint: SipEndpoint;
  dialogs: DialogRegistry;
  store: Pick<MailboxRepos, "users" | "voicemail">;
  /** The digest HA1 of a user (the store's SIP secrets), over the users repository given. */
  credentials(users: Pick<UsersRepo, "get">): DigestGateOptions["lookup"];
  logger: Logger;
  /** Keys the digest nonces; derived, never used as is. */
  secret: string;
  /** Where the digest throttle's gauge goes (`/metrics`). */
  metrics?: Registry;
  /** Every enabled voicemail system of the user, summed (the MWI service's aggregate). */
  mwiTotal?: (userId: string) => Promise<MwiCounts>;
  /** Cluster: where the phones' subscriptions are kept for another node to take over. */
  subscriptions?: SubscriptionShare;
}

export function startSipPhones(opts: SipPhonesOptions, deps: SipPhonesDeps): SipPhones {
  const realm = opts.domain;
  const key = Buffer.from(hkdfSync("sha256", deps.secret, "omnivox", "sip digest nonces", 32));
  const nonces = new NonceService({ secret: key });
  // qop=auth is required (our challenges always offer it): without nc nothing stops a replay.
  const verifier = new DigestVerifier(nonces, { allowNoQop: false });
  const challenger = new DigestChallenger(nonces);
  const algorithms = [...opts.digestAlgorithms];

  // The registrar and notifier ask for owners synchronously; the digest lookup that precedes
  // them (async, from the store) fills this map with the user's id and phone numbers.
  const owners = new Map<string, string>();
  const lookup = deps.credentials({
    get: async (id) => {
      const record = await deps.store.users.get(id);
      if (record) {
        owners.set(record.profile.id, record.profile.id);
        for (const phone of record.profile.phones) {
          owners.set(phone, record.profile.id);
          owners.set(phone.replace(/^\+/, ""), record.profile.id);
        }
      }
      return record;
    },
  });
  const aorOwner = (aor: string) => {
    const user = /^sips?:([^@;]+)@/i.exec(aor)?.[1] ?? aor;
    return owners.get(decodeURIComponent(user));
  };
  const registrar = new Registrar({ aorOwner });
  // After the upgrade to separate SIP secrets (README "SIP accounts"): say who still has to part them.
  deps.store.users
    .countPasswordSipDigests()
    .then((users) => {
      if (users > 0) {
        deps.logger.warn(
          { users },
          "phones of some users still register with their web password; rotate their SIP secret (omnivox user sip-secret ID)",
        );
      }
    })
    .catch((err: unknown) => deps.logger.error({ err: String(err) }, "cannot count SIP digests"));
  const { source, account, maxKeys } = opts.authThrottle;
  const throttle = new DigestThrottle({ source, account, maxKeys, logger: deps.logger });
  if (deps.metrics) {
    new Gauge<"kind">({
      name: "omnivox_sip_digest_throttled",
      help: "Source addresses and accounts banned from SIP digest authentication now",
      labelNames: ["kind"],
      registers: [deps.metrics],
      collect() {
        const { sources, accounts } = throttle.banned();
        this.set({ kind: "source" }, sources);
        this.set({ kind: "account" }, accounts);
      },
    });
  }
  const gate = { realm, verifier, challenger, lookup, algorithms, throttle, logger: deps.logger };
  const register = registerModule(deps.endpoint, { ...gate, registrar, domain: realm });
  // A profile with `mwi.phones: "all"` lights the phone's lamp for every enabled voicemail
  // system (the MWI service's aggregate; it calls notifyChanged after each change), else our store.
  const countsFor = async (userId: string): Promise<MwiCounts> => {
    const profile = (await deps.store.users.get(userId))?.profile;
    if (profile?.mwi.phones === "all" && deps.mwiTotal) return deps.mwiTotal(userId);
    return deps.store.voicemail.counts(userId);
  };
  const summaryFor = async (userId: string): Promise<MessageSummary> => {
    const c = await countsFor(userId);
    return {
      waiting: c.new > 0,
      account: `sip:${userId}@${realm}`,
      classes: {
        voice: { new: c.new, old: c.old, urgentNew: c.urgentNew, urgentOld: c.urgentOld },
      },
    };
  };
  const notifier = mwiNotifier(deps.endpoint, deps.dialogs, {
    ...gate,
    aorOwner,
    summaryFor,
    ...(deps.subscriptions ? { share: deps.subscriptions } : {}),
    ...(opts.unsolicitedMwi ? { unsolicited: { registrar } } : {}),
  });

  return {
    notifyChanged: (userId) => {
      notifier
        .notifyChanged(userId)
        .catch((err) => deps.logger.warn({ err, userId }, "MWI notify failed"));
    },
    identifyCaller: (req, calledUser, trusted) =>
      checkCaller(req, calledUser, {
        trusted,
        gate,
        // The user's id (their AOR's user part) or one of their numbers, with or without "+".
        names: async (user, id) => {
          if (user === id) return true;
          const phones = (await deps.store.users.get(id))?.profile.phones ?? [];
          const bare = user.replace(/^\+/, "");
          return phones.some((p) => p.replace(/^\+/, "") === bare);
        },
      }),
    bindingsOf(userId) {
      return registrar
        .aors()
        .flatMap((aor) => registrar.bindings(aor))
        .filter((b) => b.userId === userId);
    },
    onBindings: (listener) => registrar.onChange(listener),
    adopt: (subscription) => notifier.adopt(subscription),
    stop() {
      register.stop();
      notifier.stop();
    },
  };
}
