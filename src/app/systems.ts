// The registry of communication systems (docs/adding-a-system.md), in start order; they stop
// in reverse. Each line maps the config to the system's own options — the schema's output must
// be assignable to them, so a config change that breaks a system fails to compile here — and
// hands it the event port and the ports of the systems created before it.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import * as email from "../adapters/email/index.ts";
import * as icw from "../adapters/icw/index.ts";
import * as imap from "../adapters/imap/index.ts";
import * as legacyVoicemail from "../adapters/legacy-voicemail/index.ts";
import * as telephone from "../adapters/telephone/index.ts";
import * as voicemail from "../adapters/voicemail/index.ts";
import * as web from "../adapters/web/index.ts";
import * as webhook from "../adapters/webhook/index.ts";
import * as xmpp from "../adapters/xmpp/index.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { isText } from "../core/communication.ts";
import { ConfigError } from "../core/errors.ts";
import type { SystemEvents } from "../core/events.ts";
import type { MwiCounts } from "../core/mwi.ts";
import type { Gateway, LinkOwnership, MwiSink, System, TargetRelay } from "../core/ports.ts";
import { callerOf } from "../gateway/convert/speech.ts";
import type { OmnivoxMetrics } from "../http/metrics.ts";
import { synthesize8k } from "../speech/tts/engine.ts";
import { sipCredentialLookup, verifySecret } from "../store/secrets.ts";
import type { Store } from "../store/types.ts";
import type { AudioPool } from "./audio-pool.ts";
import { pinGuard } from "./pin-guard.ts";
import { callsPerSource, endpointLimits } from "./sip-limits.ts";
import { registerSipMetrics } from "./sip-metrics.ts";
import { tlsListener } from "./sip-tls.ts";
import type { Speech } from "./speech.ts";
import type { StorageProbe } from "./storage-probe.ts";
import { tlsCertificate } from "./tls-certificate.ts";
import { VERSION } from "./version.ts";

/** What every system may be built from. */
export interface SystemContext {
  config: Config;
  dataDir: string;
  serverSecret: string;
  store: Store;
  gateway: Gateway;
  events: SystemEvents;
  logger: Logger;
  metrics: OmnivoxMetrics;
  speech: Speech;
  audio: AudioPool;
  storage: StorageProbe;
  /**
   * The MWI service is built from every system's sources and targets, so after them: systems
   * reach it through these two, which they call only once running.
   */
  mwiSink: MwiSink;
  mwiTotal(userId: string): Promise<MwiCounts>;
  /** In a cluster: delivery through the node holding a connection (docs/cluster.md). */
  relay?: TargetRelay;
  /** In a cluster: which node runs each external link (docs/cluster.md "Ownership"). */
  ownership?: LinkOwnership;
  /** In a cluster: this node's id (`cluster.nodeId`). */
  nodeId?: string;
}

/** The systems by name, as the registry made them. */
export interface Systems {
  icw?: icw.Icw;
  web?: web.Web;
  voicemail?: voicemail.Voicemail;
  imap?: imap.Imap;
  xmpp?: xmpp.Xmpp;
  telephone?: telephone.TelephoneSystem;
  "legacy-voicemail"?: legacyVoicemail.LegacyVoicemail;
  email?: email.Email;
  webhook?: System;
}

type Made = { [N in keyof Systems]-?: NonNullable<Systems[N]> };

interface Entry {
  name: keyof Systems;
  create(ctx: SystemContext, made: Systems): Promise<System | undefined>;
}

/** One registry line: a system that may take the systems listed before it. */
function entry<N extends keyof Systems>(
  name: N,
  create: (ctx: SystemContext, made: Systems) => Promise<Made[N] | undefined> | Made[N] | undefined,
): Entry {
  return {
    name,
    async create(ctx, made) {
      const system = await create(ctx, made);
      if (system) made[name] = system;
      return system;
    },
  };
}

export function needs<T>(system: T | undefined, name: string): T {
  if (!system) throw new ConfigError(`${name}: this system must be created before the next one`);
  return system;
}

export function legacyVoicemailOptions(config: Config): legacyVoicemail.LegacyVoicemailOptions {
  return {
    ...config.legacyVoicemail,
    smdi: config.smdi,
    domain: config.sip.domain,
    maxAttemptMs: Math.max(0, config.outbox.leaseMs - 5000),
  };
}

async function telephoneOptions(
  config: Config,
  deps: { dataDir: string; logger: Logger },
): Promise<telephone.TelephoneSystemOptions> {
  const { sip } = config;
  const listen = parseListen(sip.listen);
  // The schema refuses a wildcard listen address without sip.mediaAddress.
  const mediaAddress = sip.mediaAddress ?? listen.host;
  const tls = sip.tls ? await tlsListener(config, deps) : undefined;
  return {
    service: {
      listen,
      ...(tls ? { tls } : {}),
      mediaAddress,
      rtpPorts: sip.rtpPorts,
      srtp: sip.srtp,
      rtpTimeoutMs: sip.rtpTimeoutMs,
      ...(sip.accessNumber ? { accessNumber: sip.accessNumber } : {}),
      trustedProxies: sip.trustedProxies,
      limits: endpointLimits(config),
      callsPerSource: callsPerSource(config),
      voicemail: config.voicemail,
      tmpDir: join(deps.dataDir, "tmp"),
    },
    domain: sip.domain,
    trunks: sip.trunks,
    phones: {
      domain: sip.domain,
      digestAlgorithms: sip.digestAlgorithms,
      authThrottle: sip.authThrottle,
      unsolicitedMwi: sip.unsolicitedMwi,
    },
    maxPendingBytes: config.storage.maxPendingBytes,
  };
}

function xmppOptions({ xmpp: x }: Config): xmpp.XmppOptions | undefined {
  // The schema gives a component all three keys or none.
  if (x.server === undefined) return undefined;
  return {
    server: parseListen(x.server),
    domain: x.domain,
    secret: x.secret,
    receiptWaitMs: x.receiptWaitMs,
    receiptTimeoutMs: x.receiptTimeoutMs,
  };
}

export const SYSTEMS: readonly Entry[] = [
  entry("icw", ({ config, gateway, speech, audio, logger }) =>
    icw.create(
      {
        decideMs: config.icw.decideMs,
        ...(config.icw.outboundProxy
          ? { outboundProxy: parseListen(config.icw.outboundProxy) }
          : {}),
      },
      {
        gateway,
        speak: async (text) => {
          const lang = config.speech.language;
          const opts = lang ? { language: lang } : {};
          return (await synthesize8k(speech.tts, text, opts, audio.resample)).samples;
        },
        sipDomain: config.sip.domain,
        logger,
      },
    ),
  ),
  entry("web", ({ config, gateway, events, metrics, logger, relay }, made) => {
    const system = web.create(
      {
        ackTimeoutMs: config.outbox.ackTimeoutMs,
        maxSocketsPerUser: config.http.maxWebSocketsPerUser,
        sendRate: { burst: config.messages.sendBurst, perMinute: config.messages.sendPerMinute },
      },
      {
        gateway,
        events,
        ...(made.icw ? { callActions: made.icw.calls } : {}),
        onThrottle: (reason) => metrics.throttled.inc({ listener: "websocket", reason }),
        ...(relay ? { relay } : {}),
        logger,
      },
    );
    metrics.countConnections("websocket", () => system.hub.socketCount());
    return system;
  }),
  entry("voicemail", ({ config, store, gateway, events }) =>
    voicemail.create(
      { sipDomain: config.sip.domain },
      {
        repos: store,
        gateway,
        events,
        callerOf: async (c) => {
          if (!isText(c)) return c.ani;
          const user = await store.users.get(c.userId);
          return user ? callerOf(c, user.profile) : undefined;
        },
        verifySecret,
      },
    ),
  ),
  entry("imap", ({ config, store, events, logger, ownership }, made) =>
    Object.keys(config.imap.domains).length === 0
      ? undefined
      : imap.create(config.imap, {
          mailboxes: needs(made.voicemail, "voicemail").mailboxes,
          voicemail: store.voicemail,
          users: store.users,
          events,
          logger,
          ...(ownership ? { ownership } : {}),
        }),
  ),
  entry("xmpp", ({ config, store, gateway, events, logger, relay, ownership }) => {
    const opts = xmppOptions(config);
    const cluster = relay && ownership ? { cluster: { relay, ownership } } : {};
    return opts
      ? xmpp.create(opts, {
          gateway,
          events,
          listUsers: () => store.users.list(),
          logger,
          ...cluster,
        })
      : undefined;
  }),
  entry("telephone", async (ctx, made) => {
    const { config, store, gateway, metrics, speech, logger } = ctx;
    const telephony = await telephone.create(await telephoneOptions(config, ctx), {
      ...ctx,
      repos: store,
      mailboxes: needs(made.voicemail, "voicemail").mailboxes,
      credentials: sipCredentialLookup,
      pinGuard: pinGuard(config, {
        store,
        gateway,
        logger: logger.child({ component: "mailbox" }),
        onLock: (scope) => metrics.throttled.inc({ listener: "mailbox", reason: `pin-${scope}` }),
      }),
      secret: ctx.serverSecret,
      mwiTotal: (userId) => ctx.mwiTotal(userId),
      ...(speech.transcriber ? { transcriber: speech.transcriber } : {}),
      // Dual deposit and SIP MWI share the endpoint both ways: the legacy system, built next
      // on this endpoint, takes the live copies once a deposit is recorded.
      liveDeposits: {
        open: (call) => needs(made["legacy-voicemail"], "legacy-voicemail").liveDeposits.open(call),
      },
      ...(made.icw && made.web
        ? { icw: (port) => needs(made.icw, "icw").waiting(port, needs(made.web, "web").hub) }
        : {}),
      metrics: metrics.registry,
      ...(ctx.relay && ctx.ownership && ctx.nodeId
        ? {
            cluster: {
              nodeId: ctx.nodeId,
              relay: ctx.relay,
              registrations: store.registrations,
              subscriptions: store.phoneSubscriptions,
              nodeRunning: (id: string) => ctx.ownership!.nodeRunning(id),
            },
          }
        : {}),
    });
    registerSipMetrics(metrics, telephony.service);
    return telephony;
  }),
  entry("legacy-voicemail", ({ config, store, audio, mwiSink, ownership, logger }, made) => {
    const telephone = needs(made.telephone, "telephone");
    return legacyVoicemail.create(legacyVoicemailOptions(config), {
      endpoint: telephone.service.endpoint,
      telephony: telephone.port,
      sink: mwiSink,
      profileOf: async (userId) => (await store.users.get(userId))?.profile,
      loadPcm: async (audioId) => {
        const blob = await store.audio.get(audioId);
        return blob ? (await audio.toPhoneAudio(blob.data)).samples : undefined;
      },
      ...(ownership ? { ownership } : {}),
      logger,
    });
  }),
  // Made with none configured too, so a route to a webhook since removed fails naming its id.
  entry("webhook", ({ config, logger }) =>
    webhook.create({ webhooks: config.webhooks, userAgent: `omnivox/${VERSION}` }, { logger }),
  ),
  // Last: SMTP starts once everything else runs and stops first.
  entry("email", async ({ config, store, gateway, metrics, logger, audio, dataDir }) => {
    const listen = parseListen(config.smtp.listen);
    const tls = config.smtp.tls;
    const smtpTls = tls
      ? {
          ...(await tlsCertificate({
            section: "smtp.tls",
            certFile: tls.cert,
            keyFile: tls.key,
            names: [config.smtp.hostname ?? "", ...config.smtp.domains, listen.host],
            dataDir,
            basename: "smtp-tls",
            logger,
          })),
          require: tls.require,
        }
      : undefined;
    const ca = config.smtpOut.ca;
    const smtpOutCa =
      ca === undefined
        ? undefined
        : await readFile(ca, "utf8").catch((err: NodeJS.ErrnoException) => {
            throw new ConfigError(`smtpOut.ca: cannot read ${ca}: ${err.code ?? err.message}`);
          });
    const system = email.create(
      {
        smtp: { ...config.smtp, listen },
        smtpOut: config.smtpOut,
        ...(smtpTls ? { smtpTls } : {}),
        ...(smtpOutCa !== undefined ? { smtpOutCa } : {}),
      },
      {
        gateway,
        logger,
        loadAudio: async (audioId) => (await store.audio.get(audioId))?.data,
        encodeAudio: (wav, format) => audio.encode(wav, format),
        onThrottle: (reason) => metrics.throttled.inc({ listener: "smtp", reason }),
      },
    );
    metrics.countConnections("smtp", () => system.inbound.connections());
    return system;
  }),
];

/** Creates every system in registry order; nothing is started yet. */
export async function createSystems(ctx: SystemContext): Promise<{ made: Systems; all: System[] }> {
  const made: Systems = {};
  const all: System[] = [];
  for (const { create } of SYSTEMS) {
    const system = await create(ctx, made);
    if (system) all.push(system);
  }
  return { made, all };
}
