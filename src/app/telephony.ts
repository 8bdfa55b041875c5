// Wires the telephone system and our voicemail store: SIP endpoint, prompts, deposit and mailbox
// over the store, each change sent out as `mailboxChanged` (and heard back to NOTIFY phones);
// the outbound telephone adapter (calls that play a message), registered before the endpoint
// starts; the telephony port; the registrations with SIP trunks that ask for one (README "Trunks").

import { join } from "node:path";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import {
  phoneLocator,
  type RegisteredContact,
  TelephoneAdapter,
} from "../adapters/telephone/adapter.ts";
import { PendingDeposits } from "../adapters/telephone/pending-deposits.ts";
import { Prompts } from "../adapters/telephone/prompts.ts";
import { TelephoneService } from "../adapters/telephone/service.ts";
import { startSipPhones } from "../adapters/telephone/sip-phones.ts";
import { telephonyPort } from "../adapters/telephone/telephony-port.ts";
import type { DepositTranscriber } from "../adapters/telephone/transcript.ts";
import { type Trunk, trunkOf } from "../adapters/telephone/trunks.ts";
import { VoicemailStore } from "../adapters/voicemail/store.ts";
import { type Config, parseListen } from "../config/schema.ts";
import type { CallWaiting } from "../core/call-waiting.ts";
import { ConfigError, DeliveryError } from "../core/errors.ts";
import type { SystemEvents } from "../core/events.ts";
import type { MwiCounts } from "../core/mwi.ts";
import type { Gateway, LiveDeposits, System } from "../core/ports.ts";
import { wantsTranscript } from "../core/routing.ts";
import type { Telephony as TelephonyPort } from "../core/telephony.ts";
import type { AudioConverter } from "../gateway/convert/phone-audio.ts";
import { bindingDestination } from "../protocols/sip/registrar/index.ts";
import { RegisterClient, type RegistrationState } from "../protocols/sip/usage/register-client.ts";
import { sipCredentialLookup, verifySecret } from "../store/secrets.ts";
import type { Store } from "../store/types.ts";
import { pinGuard } from "./pin-guard.ts";
import { callsPerSource, endpointLimits } from "./sip-limits.ts";
import { tlsListener } from "./sip-tls.ts";

import type { StorageProbe } from "./storage-probe.ts";

export interface Telephony extends System {
  service: TelephoneService;
  /** What the systems beside telephone place calls through. */
  port: TelephonyPort;
  voicemail: VoicemailStore;
  /** The outbound telephone adapter (tel:, sip:): a call that plays the message. */
  adapter: TelephoneAdapter;
  /**
   * The user's registered phones: Contact URIs, the Path each registered through, and the flow
   * it registered on (RFC 5626 connection reuse, the NAT's UDP mapping) while that flow lasts.
   */
  contactsOf(userId: string): RegisteredContact[];
  /** Registration state of each trunk with `register: true`, by id. */
  trunkRegistrations(): Record<string, RegistrationState>;
}

export interface TelephonyDeps {
  store: Store;
  gateway: Gateway;
  logger: Logger;
  dataDir: string;
  /** Keys the SIP digest nonces (the admin token; only a derived key is used). */
  secret: string;
  /** Mailbox changes go out on it; the phones hear of them from it (MWI NOTIFY). */
  events: SystemEvents;
  /** Converts stored audio for calls that play a message. */
  audio: AudioConverter;
  /** The MWI aggregate for phones whose profile asks for every system (`mwi.phones: "all"`). */
  mwiTotal?: (userId: string) => Promise<MwiCounts>;
  /** Transcribes deposits while they are recorded (app/speech.ts); none without an STT engine. */
  transcriber?: DepositTranscriber;
  /** Live copies of deposits into legacy boxes (dual deposit, adapters/legacy-voicemail/relay.ts). */
  liveDeposits?: LiveDeposits;
  /** Internet call waiting (adapters/icw), given the port it places calls through. */
  icw?: (telephony: TelephonyPort) => CallWaiting;
  /** Where the trunk registration gauge goes (`/metrics`). */
  metrics?: Registry;
  /** A mailbox or a caller source was locked after wrong PINs. */
  onPinLock?: (scope: "mailbox" | "source") => void;

  /** Disk full (docs/security.md): refuses deposits while degraded, hears recording errors. */
  storage?: Pick<StorageProbe, "canRecord" | "writeFailed" | "onWritable">;
}

/** The configured trunks as next hops and credentials. */
export function trunksOf(config: Config): Trunk[] {
  return config.sip.trunks.map(trunkOf);
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
export async function createTelephony(config: Config, deps: TelephonyDeps): Promise<Telephony> {
  const listen = parseListen(config.sip.listen);
  const mediaAddress = config.sip.mediaAddress ?? listen.host;
  if (mediaAddress === "0.0.0.0" || mediaAddress === "::") {
    throw new ConfigError(
      "sip.mediaAddress: set the address phones reach omnivox at when sip.listen is a wildcard",
    );
  }
  const tls = config.sip.tls ? await tlsListener(config, deps) : undefined;
  let phones: ReturnType<typeof startSipPhones> | undefined;
  const port = telephonyPort(() => service, {
    trunks: trunksOf(config),
    domain: config.sip.domain,
  });
  const voicemail = new VoicemailStore(
    deps.store,
    deps.gateway,
    config.sip.domain,
    (userId) => deps.events.emit("mailboxChanged", userId),
    verifySecret,
  );
  const pending = new PendingDeposits({
    deposit: (m) => voicemail.deposit(m),
    maxBytes: config.storage.maxPendingBytes,
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
  const service: TelephoneService = new TelephoneService(
    {
      listen,
      ...(tls ? { tls } : {}),
      mediaAddress,
      rtpPorts: config.sip.rtpPorts,
      srtp: config.sip.srtp,
      rtpTimeoutMs: config.sip.rtpTimeoutMs,
      ...(config.sip.accessNumber ? { accessNumber: config.sip.accessNumber } : {}),
      trustedProxies: config.sip.trustedProxies,
      limits: endpointLimits(config),
      callsPerSource: callsPerSource(config),
      voicemail: config.voicemail,
      tmpDir: join(deps.dataDir, "tmp"),
    },
    {
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
      pinGuard: pinGuard(config, {
        store: deps.store,
        gateway: deps.gateway,
        logger: deps.logger.child({ component: "mailbox" }),
        ...(deps.onPinLock ? { onLock: deps.onPinLock } : {}),
      }),
      ...(deps.transcriber ? { transcriber: deps.transcriber } : {}),
      ...(deps.liveDeposits ? { liveDeposits: deps.liveDeposits } : {}),
      ...(deps.icw ? { icw: deps.icw(port) } : {}),
      transcribes: async (userId) => {
        const user = await deps.store.users.get(userId);
        return !user || wantsTranscript("voicemail", user.profile);
      },
    },
  );
  let registrations = new Map<string, RegisterClient>();
  let sipBound: { host: string; port: number } | undefined;
  const off = deps.events.on("mailboxChanged", (userId) => phones?.notifyChanged(userId));
  const contactsOf = (userId: string): RegisteredContact[] =>
    (phones?.bindingsOf(userId) ?? []).map((b): RegisteredContact => {
      if (b.path?.length) return { uri: b.contact, path: b.path };
      const flow = bindingDestination(b, (d) => service.endpoint.isConnected(d));
      return { uri: b.contact, ...(flow ? { flow } : {}) };
    });
  const adapter = telephoneTarget(config, {
    store: deps.store,
    logger: deps.logger,
    audio: deps.audio,
    player: service,
    contactsOf,
    self: () => sipBound,
  });
  return {
    name: "telephone",
    service,
    port,
    voicemail,
    adapter,
    adapters: [adapter],
    contactsOf,
    trunkRegistrations: () =>
      Object.fromEntries([...registrations].map(([id, client]) => [id, client.state])),
    async start() {
      const sip = await service.start();
      sipBound = sip;
      const { domain, digestAlgorithms, authThrottle, unsolicitedMwi } = config.sip;
      phones = startSipPhones(
        { domain, digestAlgorithms, authThrottle, unsolicitedMwi },
        {
          endpoint: service.endpoint,
          credentials: sipCredentialLookup,
          dialogs: service.dialogs,
          store: deps.store,
          logger: deps.logger.child({ component: "phones" }),
          secret: deps.secret,
          ...(deps.mwiTotal ? { mwiTotal: deps.mwiTotal } : {}),
          ...(deps.metrics ? { metrics: deps.metrics } : {}),
        },
      );
      registrations = registerTrunks(
        trunksOf(config),
        { endpoint: service.endpoint, contactHost: mediaAddress, port: sip.port },
        deps.logger.child({ component: "trunk" }),
        deps.metrics,
      );
      return { sip, ...(service.tlsAddress ? { "sip-tls": service.tlsAddress } : {}) };
    },
    async stop() {
      off();
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
  config: Config,
  deps: {
    store: Store;
    logger: Logger;
    audio: AudioConverter;
    player: TelephoneService;
    contactsOf(userId: string): RegisteredContact[];
    /** Our SIP listener once bound: undefined before start. */
    self(): { host: string; port: number } | undefined;
  },
): TelephoneAdapter {
  const started = (): void => {
    if (!deps.self()) throw new DeliveryError("the SIP endpoint is not started yet");
  };
  const ownerOf = async (n: string) =>
    (await deps.store.users.findByPhone(n))?.id ??
    (await deps.store.users.findByPhone(n.startsWith("+") ? n.slice(1) : `+${n}`))?.id;
  const locate = phoneLocator({
    ownerOf,
    userOf: async (user) => (await deps.store.users.get(user))?.profile.id ?? ownerOf(user),
    contactsOf: deps.contactsOf,
    get self() {
      return deps.self();
    },
    domain: config.sip.domain,
    trunks: trunksOf(config),
  });
  return new TelephoneAdapter({
    player: {
      playOnPhone: (opts) => {
        started();
        return deps.player.playOnPhone(opts);
      },
    },
    loadPcm: async (audioId) => {
      const blob = await deps.store.audio.get(audioId);
      return blob ? (await deps.audio.toPhoneAudio(blob.data)).samples : undefined;
    },
    locate: (address) => {
      started();
      return locate(address);
    },
    domain: config.sip.domain,
    numberOf: async (userId) => (await deps.store.users.get(userId))?.profile.phones[0],
    logger: deps.logger.child({ component: "telephone-out" }),
  });
}
