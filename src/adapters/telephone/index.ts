// The telephone system (README "Telephone and voicemail"): SIP endpoint, prompts, deposit and
// mailbox over the mailbox port (our voicemail store), the users' phones, the outbound adapter
// (calls that play a message), the telephony port the systems beside it place calls through,
// and the registrations with SIP trunks that ask for one (README "Trunks").

import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { CallWaiting } from "../../core/call-waiting.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { SystemEvents } from "../../core/events.ts";
import type { Mailboxes } from "../../core/mailbox.ts";
import type { MwiCounts } from "../../core/mwi.ts";
import type { LiveDeposits, System } from "../../core/ports.ts";
import type { MailboxRepos } from "../../core/repositories.ts";
import { wantsTranscript } from "../../core/routing.ts";
import type { Telephony } from "../../core/telephony.ts";
import { type Binding, bindingDestination } from "../../protocols/sip/registrar/index.ts";
import {
  RegisterClient,
  type RegistrationState,
} from "../../protocols/sip/usage/register-client.ts";
import {
  phoneLocator,
  type RegisteredContact,
  TelephoneAdapter,
  type TelephoneAdapterDeps,
} from "./adapter.ts";
import {
  adoptSubscriptions,
  type ClusterPhones,
  crossNodeForks,
  phonesAcross,
  shareBindings,
  subscriptionShare,
  takeCalls,
} from "./cluster-phones.ts";
import type { PinGuard } from "./mailbox.ts";
import { PendingDeposits } from "./pending-deposits.ts";
import { Prompts } from "./prompts.ts";
import { type TelephoneOptions, TelephoneService } from "./service.ts";
import { type SipPhonesDeps, type SipPhonesOptions, startSipPhones } from "./sip-phones.ts";
import { telephonyPort } from "./telephony-port.ts";
import type { DepositTranscriber } from "./transcript.ts";
import { type Trunk, type TrunkConfig, trunkOf } from "./trunks.ts";

export interface TelephoneSystem extends System {
  service: TelephoneService;
  /** What the systems beside telephone place calls through. */
  port: Telephony;
  /** The outbound telephone adapter (tel:, sip:): a call that plays the message. */
  adapter: TelephoneAdapter;
  /**
   * The user's registered phones: Contact URIs, the Path each registered through, and the flow
   * it registered on (RFC 5626 connection reuse, the NAT's UDP mapping) while that flow lasts.
   */
  contactsOf(userId: string): Promise<RegisteredContact[]>;
  /** Registration state of each trunk with `register: true`, by id. */
  trunkRegistrations(): Record<string, RegistrationState>;
}

/** The `sip`, `voicemail` and `storage` settings as this system reads them. */
export interface TelephoneSystemOptions {
  service: TelephoneOptions;
  /** `sip.domain`: sip: targets there are users' phones. */
  domain: string;
  trunks: readonly TrunkConfig[];
  phones: SipPhonesOptions;
  /** Audio of deposits held in memory until the disk has room (storage.maxPendingBytes). */
  maxPendingBytes: number;
}

/** Stored audio as 8 kHz PCM for a call (the audio worker pool). */
export interface PhoneAudioConverter {
  toPhoneAudio(bytes: Uint8Array): Promise<{ samples: Int16Array }>;
}

export interface TelephonyDeps {
  repos: Pick<MailboxRepos, "users" | "voicemail" | "audio">;
  /** Our voicemail store: deposits, greetings and the phone mailbox. */
  mailboxes: Mailboxes;
  logger: Logger;
  /** The digest HA1 of a user, over the users repository (the store's SIP secrets). */
  credentials: SipPhonesDeps["credentials"];
  /** Counts PIN entries across calls (docs/security.md "Voicemail PINs"). */
  pinGuard?: PinGuard;
  /** Keys the SIP digest nonces (the admin token; only a derived key is used). */
  secret: string;
  /** Mailbox changes go out on it; the phones hear of them from it (MWI NOTIFY). */
  events: SystemEvents;
  /** Converts stored audio for calls that play a message. */
  audio: PhoneAudioConverter;
  /** The MWI aggregate for phones whose profile asks for every system (`mwi.phones: "all"`). */
  mwiTotal?: (userId: string) => Promise<MwiCounts>;
  /** Transcribes deposits while they are recorded (app/speech.ts); none without an STT engine. */
  transcriber?: DepositTranscriber;
  /** Live copies of deposits into legacy boxes (dual deposit, adapters/legacy-voicemail/relay.ts). */
  liveDeposits?: LiveDeposits;
  /** Internet call waiting (adapters/icw), given the port it places calls through. */
  icw?: (telephony: Telephony) => CallWaiting;
  /** Where the trunk registration gauge goes (`/metrics`). */
  metrics?: Registry;
  /** Disk full (docs/security.md): refuses deposits while degraded, hears recording errors. */
  storage?: {
    canRecord(): boolean;
    writeFailed(area: "recording", err: unknown): void;
    onWritable(listener: () => void): void;
  };
  /**
   * In a cluster: registrations are shared, and a call to a phone only another node's flow
   * reaches is placed there (docs/cluster.md "Phones").
   */
  cluster?: ClusterPhones;
}

/** One registration per trunk that asks for it; the Contact has no user, so calls name the DID. */
function registerTrunks(
  trunks: Trunk[],
  deps: { endpoint: TelephoneService["endpoint"]; contactHost: string; port: number },
  logger: Logger,
  metrics?: Registry,
): Map<string, RegisterClient> {
  const gauge = metrics
    ? new Gauge<"trunk">({
        name: "omnivox_sip_trunk_registered",
        help: "1 while the registration with the SIP trunk is in force, else 0",
        labelNames: ["trunk"] as const,
        registers: [metrics],
      })
    : undefined;
  const clients = new Map<string, RegisterClient>();
  for (const trunk of trunks) {
    if (!trunk.register || !trunk.credentials) continue;
    const tcp = trunk.proxy.transport === "tcp" ? ";transport=tcp" : "";
    const client = new RegisterClient({
      endpoint: deps.endpoint,
      dest: trunk.proxy,
      registrarUri: `sip:${trunk.fromDomain}${tcp}`,
      aor: `sip:${encodeURIComponent(trunk.credentials.username)}@${trunk.fromDomain}`,
      // No user part: a call from the trunk names the number dialled in To (or the Request-URI).
      contact: `sip:${deps.contactHost}:${deps.port}${tcp}`,
      credentials: trunk.credentials,
      expires: trunk.registerExpires,
      logger: logger.child({ trunk: trunk.id, proxy: `${trunk.proxy.host}:${trunk.proxy.port}` }),
      onState: (state) => gauge?.set({ trunk: trunk.id }, state === "registered" ? 1 : 0),
    });
    gauge?.set({ trunk: trunk.id }, 0);
    clients.set(trunk.id, client);
    client.start();
  }
  return clients;
}

/**
 * The telephone system: built (endpoint, prompts, voicemail store, outbound adapter) before
 * anything starts, so the systems beside it take its ports; `start` binds SIP and registers
 * with the trunks.
 */
export async function create(
  opts: TelephoneSystemOptions,
  deps: TelephonyDeps,
): Promise<TelephoneSystem> {
  const trunks = opts.trunks.map(trunkOf);
  let phones: ReturnType<typeof startSipPhones> | undefined;
  const port = telephonyPort(() => service, { trunks, domain: opts.domain });
  const voicemail = deps.mailboxes;
  const pending = new PendingDeposits({
    deposit: (m) => voicemail.deposit(m),
    maxBytes: opts.maxPendingBytes,
    logger: deps.logger.child({ component: "pending-voicemail" }),
  });
  deps.storage?.onWritable(() => pending.wake());
  if (deps.metrics)
    new Gauge({
      name: "omnivox_voicemail_pending_bytes",
      help: "Audio of voicemails held in memory until the disk has room (storage.maxPendingBytes)",
      registers: [deps.metrics],
      collect() {
        this.set(pending.bytes);
      },
    });
  const service: TelephoneService = new TelephoneService(opts.service, {
    logger: deps.logger.child({ component: "telephone" }),
    prompts: await Prompts.load(),
    mailboxFor: (n) => voicemail.mailboxFor(n),
    // Before the phones are wired no one has proved anything: every caller is a caller.
    identifyCaller: (req, called, trusted) =>
      phones?.identifyCaller(req, called, trusted) ?? Promise.resolve("other"),
    greetingFor: (u, kind) => voicemail.greetingFor(u, kind),
    deposit: (m) => voicemail.deposit(m),
    ...(deps.storage
      ? {
          canRecord: () => deps.storage!.canRecord(),
          storageFull: (err: unknown) => deps.storage!.writeFailed("recording", err),
        }
      : {}),
    keepPending: (m) => pending.keep(m),
    mailbox: voicemail,
    ...(deps.pinGuard ? { pinGuard: deps.pinGuard } : {}),
    ...(deps.transcriber ? { transcriber: deps.transcriber } : {}),
    ...(deps.liveDeposits ? { liveDeposits: deps.liveDeposits } : {}),
    ...(deps.icw ? { icw: deps.icw(port) } : {}),
    transcribes: async (userId) => {
      const user = await deps.repos.users.get(userId);
      return !user || wantsTranscript("voicemail", user.profile);
    },
  });
  let registrations = new Map<string, RegisterClient>();
  let sipBound: { host: string; port: number } | undefined;
  const off = deps.events.on("mailboxChanged", (userId) => phones?.notifyChanged(userId));
  const contactOf = (b: Binding): RegisteredContact => {
    if (b.path?.length) return { uri: b.contact, path: b.path };
    const flow = bindingDestination(b, (d) => service.endpoint.isConnected(d));
    return { uri: b.contact, ...(flow ? { flow } : {}) };
  };
  const { cluster } = deps;
  const contactsOf = async (userId: string): Promise<RegisteredContact[]> => {
    const local = phones?.bindingsOf(userId) ?? [];
    return cluster ? phonesAcross(userId, local, contactOf, cluster) : local.map(contactOf);
  };
  let unshare: (() => void) | undefined;
  const forks = cluster
    ? crossNodeForks(cluster, deps.logger.child({ component: "cluster-phones" }))
    : undefined;
  const adapter = telephoneTarget(opts.domain, trunks, {
    repos: deps.repos,
    logger: deps.logger,
    audio: deps.audio,
    player: service,
    contactsOf,
    self: () => sipBound,
    ...(forks && cluster ? { forks, nodeId: cluster.nodeId } : {}),
  });
  return {
    name: "telephone",
    service,
    port,
    adapter,
    adapters: [adapter],
    contactsOf,
    trunkRegistrations: () =>
      Object.fromEntries([...registrations].map(([id, client]) => [id, client.state])),
    async start() {
      const sip = await service.start();
      sipBound = sip;
      phones = startSipPhones(opts.phones, {
        endpoint: service.endpoint,
        credentials: deps.credentials,
        dialogs: service.dialogs,
        store: deps.repos,
        logger: deps.logger.child({ component: "phones" }),
        secret: deps.secret,
        ...(deps.mwiTotal ? { mwiTotal: deps.mwiTotal } : {}),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(cluster
          ? {
              subscriptions: subscriptionShare(
                cluster,
                deps.logger.child({ component: "cluster-phones" }),
              ),
            }
          : {}),
      });
      if (cluster) {
        const log = deps.logger.child({ component: "cluster-phones" });
        const offShare = shareBindings(phones, cluster, log);
        const offCalls = takeCalls(cluster, (call) => adapter.placeForwarded(call));
        const offForks = forks?.listen();
        const offAdopt = adoptSubscriptions(cluster, phones, log);
        unshare = () => {
          offAdopt();
          offForks?.();
          offCalls();
          offShare();
        };
      }
      registrations = registerTrunks(
        trunks,
        { endpoint: service.endpoint, contactHost: opts.service.mediaAddress, port: sip.port },
        deps.logger.child({ component: "trunk" }),
        deps.metrics,
      );
      return { sip, ...(service.tlsAddress ? { "sip-tls": service.tlsAddress } : {}) };
    },
    async stop() {
      // No new calls from here on (503, so a proxy moves on); calls under way finish.
      service.endpoint.drain();
      off();
      unshare?.();
      // Unregistered while the endpoint still runs (Expires: 0 needs it).
      await Promise.all([...registrations.values()].map((c) => c.stop()));
      phones?.stop();
      await service.stop();
      await pending.stop();
    },
  };
}

/**
 * The outbound telephone adapter (tel:, sip:). It is registered with the other adapters before
 * the SIP endpoint starts, so deliveries due at start-up find it; until then they are retried.
 */
function telephoneTarget(
  domain: string,
  trunks: readonly Trunk[],
  deps: {
    repos: Pick<MailboxRepos, "users" | "audio">;
    logger: Logger;
    audio: PhoneAudioConverter;
    player: TelephoneService;
    contactsOf(userId: string): Promise<RegisteredContact[]>;
    forks?: TelephoneAdapterDeps["forks"];
    nodeId?: string;
    /** Our SIP listener once bound: undefined before start. */
    self(): { host: string; port: number } | undefined;
  },
): TelephoneAdapter {
  const started = (): void => {
    if (!deps.self()) throw new DeliveryError("the SIP endpoint is not started yet");
  };
  const ownerOf = async (n: string) =>
    (await deps.repos.users.findByPhone(n))?.id ??
    (await deps.repos.users.findByPhone(n.startsWith("+") ? n.slice(1) : `+${n}`))?.id;
  const locate = phoneLocator({
    ownerOf,
    userOf: async (user) => (await deps.repos.users.get(user))?.profile.id ?? ownerOf(user),
    contactsOf: deps.contactsOf,
    get self() {
      return deps.self();
    },
    domain,
    trunks,
  });
  return new TelephoneAdapter({
    player: {
      playOnPhone: (opts) => {
        started();
        return deps.player.playOnPhone(opts);
      },
    },
    loadPcm: async (audioId) => {
      const blob = await deps.repos.audio.get(audioId);
      return blob ? (await deps.audio.toPhoneAudio(blob.data)).samples : undefined;
    },
    locate: (address) => {
      started();
      return locate(address);
    },
    domain,
    ...(deps.forks ? { forks: deps.forks } : {}),
    ...(deps.nodeId ? { nodeId: deps.nodeId } : {}),
    numberOf: async (userId) => (await deps.repos.users.get(userId))?.profile.phones[0],
    logger: deps.logger.child({ component: "telephone-out" }),
  });
}
