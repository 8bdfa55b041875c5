// The composition root (as fastify.js is fastify's): config → store → event port and gateway →
// the systems of the registry (app/systems.ts) → MWI service and outbox over what they offer →
// HTTP → each system's listener, started in that order and stopped in reverse. Tests start it
// in-process with `overrides`; the CLI starts it from a config file.

import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { createSystemEvents } from "../core/events.ts";
import { OutboxSlots } from "../gateway/outbox-slots.ts";
import { Receiver } from "../gateway/receiver.ts";
import { createMetrics } from "../http/metrics.ts";
import type { Store } from "../store/types.ts";
import { createAudioPool } from "./audio-pool.ts";
import { claimCodeSender } from "./claim-codes.ts";
import { joinCluster, nodeHealth } from "./cluster.ts";
import { prepareDataDir } from "./data-dir.ts";
import { httpListener } from "./http-listener.ts";
import { createLogger } from "./logger.ts";
import { lateMwi, mwiApi } from "./mwi.ts";
import { createOutbox } from "./outbox.ts";
import { type BoundPorts, writePortsFile } from "./ports-file.ts";
import { startRetentionSweeps } from "./retention.ts";
import { startSpeech } from "./speech.ts";
import { Stops } from "./stops.ts";
import { openWatchedStore } from "./storage-probe.ts";
import { createSystems, needs } from "./systems.ts";

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
  const { dataDir, admin, localSecret, effective } = await prepareDataDir(config);
  const { store, storage, close } = await openWatchedStore(config, dataDir, logger);
  const stops = new Stops(logger);
  stops.push(close);

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

    // The event port first: every system reports on it, none holds a reference to a later one.
    const events = createSystemEvents((err, name) => logger.error({ err, event: name }, "event"));
    // Other nodes hear what this one emits, and the other way round (docs/cluster.md).
    const cluster = config.cluster
      ? await joinCluster(config.cluster, {
          store,
          events,
          logger,
          localSecret,
          ackTimeoutMs: config.outbox.ackTimeoutMs,
        })
      : undefined;
    if (cluster) stops.push(() => cluster.stop());
    if (cluster) metrics.registry.setDefaultLabels({ node: cluster.nodeId });
    const serverSecret = cluster?.serverSecret ?? localSecret;
    // The outbox's slots exist before the receiver, which claims into them as it stores.
    const slots = new OutboxSlots(config.outbox);
    const gateway = new Receiver({
      store,
      logger,
      holdMs: config.outbox.holdMs,
      onCommitted: (c, claimed, unclaimed) => events.emit("committed", c, claimed, unclaimed),
      slots,
    });
    const shared = { config, store, gateway, events, logger, metrics, speech, audio, storage };
    const mwiLater = lateMwi(config, shared);
    const { made, all: systems } = await createSystems({
      ...shared,
      dataDir,
      serverSecret,
      mwiSink: mwiLater.sink,
      mwiTotal: mwiLater.total,
      ...(cluster
        ? { relay: cluster.relay, ownership: cluster.leases, nodeId: cluster.nodeId }
        : {}),
    });
    const mwi = mwiLater.build(systems);
    const listener = httpListener(config, serverSecret);
    const { adapters, worker } = createOutbox(config, {
      ...shared,
      systems,
      audioLinks: listener.audioLinks,
      pollMs: overrides.outboxPollMs,
      slots,
    });
    for (const adapter of adapters.all()) await adapter.start();
    stops.push(async () => {
      for (const adapter of adapters.all()) await adapter.stop();
    });

    const webClients = needs(made.web, "web").hub;
    const email = needs(made.email, "email");
    const { http, bound } = await listener.listen(
      {
        onMailboxChanged: (userId) => events.emit("mailboxChanged", userId),
        ...shared,
        config: effective,
        serverSecret,
        webClients,
        mwi: mwiApi(mwi, events, cluster?.bridge),
        metrics: metrics.registry,
        ...nodeHealth(store, cluster),
        storage: () => storage.state(),
        ...(made.icw ? { calls: made.icw.calls } : {}),
        sendClaimCode: claimCodeSender({ email: email.adapter, xmpp: made.xmpp?.adapter }),
        onThrottle: (reason) => metrics.throttled.inc({ listener: "http", reason }),
      },
      metrics,
    );
    // The hub's sockets came in through the HTTP listener: both close together.
    stops.push(async () => {
      await webClients.close();
      await http.close();
    });
    const ports: BoundPorts = { http: bound };

    // Deliveries start once links to audio can name the bound port; the worker stops before the
    // HTTP server on shutdown, so deliveries under way to web clients finish first.
    await worker.start();
    stops.push(() => worker.stop());

    // Inbound listeners in registry order, stopped in reverse (SMTP first).
    for (const system of systems) {
      if (system.start) Object.assign(ports, await system.start());
      const { stop } = system;
      if (stop) stops.push(() => stop.call(system));
    }
    // Sources subscribe once SIP is up; indicators wait for the listeners that serve clients.
    await mwi.start();
    stops.push(() => mwi.stop());
    // Expired voicemail goes once MWI listens, so the lamps follow (README "Retention and erasure").
    const retention = startRetentionSweeps(config, { store, events, logger });
    stops.push(() => retention.stop());

    await writePortsFile(dataDir, ports);
    return {
      config: effective,
      store,
      ports,
      adminToken: admin.token,
      adminTokenFile: admin.file,
      adminTokenGenerated: admin.generated,
      logger,
      stop: () => stops.run(),
    };
  } catch (err) {
    await stops.run();
    throw err;
  }
}
