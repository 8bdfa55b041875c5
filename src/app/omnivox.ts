// The composition root (as fastify.js is fastify's): config → store → gateway → adapters → HTTP
// and SMTP listeners, started in that order and stopped in reverse. Tests start it in-process
// with `overrides`; the CLI starts it from a config file.

import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { createEmail } from "../adapters/email/index.ts";
import { IcwCalls } from "../adapters/icw/calls.ts";
import { callWaiting } from "../adapters/icw/index.ts";
import { LegacyDepositAdapter } from "../adapters/legacy-voicemail/deposit-adapter.ts";
import { LegacyRelay, relayLegOf } from "../adapters/legacy-voicemail/relay.ts";
import { WebClientHub } from "../adapters/web/hub.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { type Address, formatAddress } from "../core/address.ts";
import type { IndicatorTarget } from "../core/ports.ts";
import { AdapterRegistry } from "../gateway/adapter-registry.ts";
import { defaultConverters } from "../gateway/convert/registry.ts";
import { storedAudioTranscriber } from "../gateway/convert/transcribe.ts";
import { MwiService } from "../gateway/mwi-service.ts";
import { OutboxWorker } from "../gateway/outbox-worker.ts";
import { Receiver } from "../gateway/receiver.ts";
import { AudioUrlSigner, baseUrlOf, createAudioLinks } from "../http/audio-urls.ts";
import { createMetrics } from "../http/metrics.ts";
import { buildHttpServer } from "../http/server.ts";
import { synthesize8k } from "../speech/tts/engine.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { watchStore } from "../store/watched.ts";
import { ensureAdminToken } from "./admin-token.ts";
import { createAudioPool } from "./audio-pool.ts";
import { claimCodeSender } from "./claim-codes.ts";
import { startLegacyVoicemail } from "./legacy-voicemail.ts";
import { createLogger } from "./logger.ts";
import { type BoundPorts, writePortsFile } from "./ports-file.ts";
import { ensureServerSecret } from "./server-secret.ts";
import { registerSipMetrics } from "./sip-metrics.ts";
import { startSpeech } from "./speech.ts";
import { storageProbeFor } from "./storage-probe.ts";
import { startTelephony, telephoneTarget } from "./telephony.ts";
import { startXmpp } from "./xmpp.ts";

export interface Overrides {
  logger?: Logger;
  /** Poll interval of the outbox worker (tests shorten it). */
  outboxPollMs?: number;
}

export interface Omnivox {
  readonly config: Config;
  readonly store: Store;
  readonly ports: BoundPorts;
  readonly adminToken: string;
  readonly adminTokenFile?: string;
  readonly adminTokenGenerated: boolean;
  readonly logger: Logger;
  /** Graceful stop: stop accepting, finish deliveries under way, close the store. */
  stop(): Promise<void>;
}

export async function startOmnivox(config: Config, overrides: Overrides = {}): Promise<Omnivox> {
  const logger = overrides.logger ?? createLogger(config.log.level);
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const admin = await ensureAdminToken(config.http.adminToken, dataDir);
  // Keys every MAC, nonce and link; never the admin token, which a nonce must not let anyone test.
  const { secret: serverSecret } = await ensureServerSecret(dataDir);
  const effective: Config = {
    ...config,
    dataDir,
    http: { ...config.http, adminToken: admin.token },
  };

  const opened = await openStore({
    database: config.database,
    dataDir,
    pgSchema: config.databaseSchema,
  });
  const stops: Array<() => Promise<void>> = [() => opened.close()];
  // Disk full (docs/security.md): a periodic probe, and every store write that runs out of room.
  const storage = storageProbeFor(config, dataDir, opened, logger);
  const store = watchStore(opened, (area, err) => storage.writeFailed(area, err));
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, "error while stopping");
      }
    }
  };

  try {
    const metrics = createMetrics({ outbox: store.outbox, logger });
    storage.addMetrics(metrics.registry);
    await storage.start();
    stops.push(() => storage.stop());
    stops.push(async () => metrics.close());
    // Audio conversion and TTS resampling run in threads, away from SIP/RTP (audio-pool.ts);
    // they load on the first conversion, which most start-ups (and tests) never make.
    const audio = createAudioPool(config.media, logger);
    stops.push(() => audio.close());
    const speech = await startSpeech(config, { store, logger, resample: audio.resample });
    stops.push(() => speech.close());
    const adapters = new AdapterRegistry();
    // The worker exists before the receiver so that a commit can wake it; it starts last.
    const holder: { worker?: OutboxWorker } = {};
    const gateway = new Receiver({
      store,
      logger,
      holdMs: config.outbox.holdMs,
      onCommitted: () => holder.worker?.wake(),
    });
    // Calls offered to web clients (ICW): the hub takes their actions, HTTP their screening.
    const calls = new IcwCalls();
    const webClients = new WebClientHub({
      gateway,
      callActions: calls,
      logger,
      ackTimeoutMs: config.outbox.ackTimeoutMs,
      maxSocketsPerUser: config.http.maxWebSocketsPerUser,
      sendRate: { burst: config.messages.sendBurst, perMinute: config.messages.sendPerMinute },
      onThrottle: (reason) => metrics.throttled.inc({ listener: "websocket", reason }),
    });
    metrics.countConnections("websocket", () => webClients.socketCount());
    const email = createEmail(
      {
        smtp: { ...config.smtp, listen: parseListen(config.smtp.listen) },
        smtpOut: config.smtpOut,
      },
      {
        gateway,
        logger,
        loadAudio: async (audioId) => (await store.audio.get(audioId))?.data,
        onThrottle: (reason) => metrics.throttled.inc({ listener: "smtp", reason }),
      },
    );
    metrics.countConnections("smtp", () => email.inbound.connections());
    adapters.register(email.adapter).register(webClients);
    adapters.register(speech.voicemailAdapter((userId) => mailboxEvents.changed(userId)));
    const phoneCalls = telephoneTarget(config, { store, logger, audio });
    adapters.register(phoneCalls.adapter);
    // Dual deposit (README "Dual deposit into legacy boxes"): a live copy of each recording into the user's legacy boxes, and
    // `legacy:` replays through the outbox; both reach SIP and SMDI once those are up (below).
    const legacyOpts = {
      profileOf: async (userId: string) => (await store.users.get(userId))?.profile,
      domain: config.sip.domain,
      logger: logger.child({ component: "legacy-deposit" }),
    };
    const legacyRelay = new LegacyRelay(legacyOpts);
    const legacyDeposits = new LegacyDepositAdapter({
      ...legacyOpts,
      loadPcm: async (audioId) => {
        const blob = await store.audio.get(audioId);
        return blob ? (await audio.toPhoneAudio(blob.data)).samples : undefined;
      },
      maxAttemptMs: Math.max(0, config.outbox.leaseMs - 5000),
    });
    adapters.register(legacyDeposits);
    const xmpp = startXmpp(config, { store, gateway, logger });
    if (xmpp) adapters.register(xmpp.adapter);

    const indicatorTargets: IndicatorTarget[] = [webClients];
    if (xmpp) indicatorTargets.push(xmpp.adapter);
    const mwi = new MwiService({
      store,
      logger,
      sources: [],
      targets: indicatorTargets,
      indicatorTtlMs: config.mwi.indicatorTtlMs,
      retryMs: config.mwi.retryMs,
      onChange: (profile) => {
        if (profile.mwi.phones === "all") mailboxEvents.changed(profile.id);
      },
    });

    // Links in mail and chat: publicUrl, else the HTTP listener — whose port is known only once
    // it has bound (port 0), so the base is read when a link is made, after the worker starts.
    const httpListen = parseListen(config.http.listen);
    let httpBound = httpListen;
    const audioLinks = createAudioLinks({
      signer: new AudioUrlSigner(serverSecret),
      baseUrl: () => baseUrlOf(config, httpBound),
      defaultTtlMs: config.http.audioUrlTtlMs,
    });
    const worker = new OutboxWorker({
      store,
      adapters,
      converters: speech.converters(
        defaultConverters({
          audioLinks,
          transcribeAudio: storedAudioTranscriber(speech.stt, store.audio, config.speech.language),
        }),
      ),
      logger,
      options: { ...config.outbox, pollMs: overrides.outboxPollMs },
      observer: {
        attempt: (scheme, result) => metrics.deliveryAttempts.inc({ scheme, result }),
        delivered: (scheme, seconds) => metrics.deliveryLatency.observe({ scheme }, seconds),
      },
    });
    holder.worker = worker;
    // IM clients that come back (a web client connects, an XMPP JID comes online) get what the
    // outbox held for them.
    const releaseHeld = (address: Address) => {
      mwi.clientAvailable(address);
      worker
        .release(formatAddress(address))
        .catch((err) => logger.error({ err }, "cannot release held deliveries"));
    };
    webClients.onAvailable(releaseHeld);
    xmpp?.adapter.onAvailable(releaseHeld);
    for (const adapter of adapters.all()) await adapter.start();
    stops.push(async () => {
      for (const adapter of adapters.all()) await adapter.stop();
    });
    if (xmpp) stops.push(() => xmpp.stop());

    // Every change of a mailbox (deposit, REST, phone) reaches the MWI side through this hook;
    // its target is set once the telephone system is up.
    const mailboxEvents = { changed: (_userId: string): void => {} };
    const http = await buildHttpServer({
      onMailboxChanged: (userId) => mailboxEvents.changed(userId),
      config: effective,
      serverSecret,
      store,
      logger,
      gateway,
      webClients,
      metrics: metrics.registry,
      health: async () => ({ store: await store.ping() }),
      storage: () => storage.state(),
      audioLinks,
      mwi,
      calls,
      audio,
      sendClaimCode: claimCodeSender({ email: email.adapter, xmpp: xmpp?.adapter }),
      onThrottle: (reason) => metrics.throttled.inc({ listener: "http", reason }),
    });
    await http.listen({ host: httpListen.host, port: httpListen.port });
    metrics.countConnections(
      "http",
      () =>
        new Promise<number>((resolve, reject) =>
          http.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
        ),
    );
    stops.push(async () => {
      await webClients.close();
      await http.close();
    });
    const httpAddress = http.server.address();
    httpBound = {
      host: httpListen.host,
      port: typeof httpAddress === "object" && httpAddress ? httpAddress.port : 0,
    };
    const ports: BoundPorts = { http: httpBound };

    // Deliveries start once links to audio can name the bound port; the worker stops before the
    // HTTP server on shutdown, so deliveries under way to web clients finish first.
    await worker.start();
    stops.push(() => worker.stop());

    const telephony = await startTelephony(config, {
      store,
      gateway,
      logger,
      dataDir,
      secret: serverSecret,
      mailboxChanged: (userId) => mailboxEvents.changed(userId),
      mwiTotal: async (userId) => (await mwi.snapshot(userId)).total,
      ...(speech.transcriber ? { transcriber: speech.transcriber } : {}),
      liveDeposits: legacyRelay,
      icw: callWaiting(
        {
          decideMs: config.icw.decideMs,
          ...(config.icw.outboundProxy
            ? { outboundProxy: parseListen(config.icw.outboundProxy) }
            : {}),
        },
        {
          calls,
          clients: webClients,
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
      metrics: metrics.registry,
      onPinLock: (scope) => metrics.throttled.inc({ listener: "mailbox", reason: `pin-${scope}` }),

      storage,
    });
    mailboxEvents.changed = (userId) => {
      telephony.notifyPhones(userId);
      mwi
        .internalChanged(userId)
        .catch((err) => logger.error({ err, userId }, "mwi: cannot read the mailbox counts"));
    };
    ports.sip = telephony.sip;
    if (telephony.sipTls) ports["sip-tls"] = telephony.sipTls;
    phoneCalls.attach(telephony);
    registerSipMetrics(metrics, telephony.service);
    stops.push(() => telephony.stop());

    // Legacy voicemail MWI (SIP subscriptions, SMDI links) on the telephone endpoint; stopped
    // before it (un-SUBSCRIBE with Expires: 0 needs the endpoint).
    const legacy = await startLegacyVoicemail(config, {
      endpoint: telephony.service.endpoint,
      sink: mwi,
      logger,
    });
    stops.push(() => legacy.stop());
    for (const [id, bound] of Object.entries(legacy.smdiPorts)) ports[`smdi:${id}`] = bound;
    const callDetail = legacy.smdi.callDetail.bind(legacy.smdi);
    legacyRelay.attach({
      dial: async (opts) => relayLegOf(await telephony.port.dial(opts, false)),
      callDetail,
    });
    legacyDeposits.attach({ telephony: telephony.port, callDetail });
    mwi.addSources(legacy.sources);
    // Sources subscribe once SIP is up; indicators wait for the listeners that serve clients.
    await mwi.start();
    stops.push(() => mwi.stop());

    ports.smtp = await email.inbound.start();
    // SMTP stops first: no new mail is accepted while the rest shuts down.
    stops.push(() => email.inbound.stop());

    await writePortsFile(dataDir, ports);
    return {
      config: effective,
      store,
      ports,
      adminToken: admin.token,
      adminTokenFile: admin.file,
      adminTokenGenerated: admin.generated,
      logger,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
