// The outbox worker over every system's adapters (docs/architecture.md "Layers" "outbox"): woken by
// each commit, releasing what it held for a target that is back, counting attempts for /metrics.

import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { formatAddress } from "../core/address.ts";
import type { SystemEvents } from "../core/events.ts";
import type { AudioLinks, System } from "../core/ports.ts";
import { AdapterRegistry } from "../gateway/adapter-registry.ts";
import { defaultConverters } from "../gateway/convert/registry.ts";
import { storedAudioTranscriber } from "../gateway/convert/transcribe.ts";
import type { OutboxSlots } from "../gateway/outbox-slots.ts";
import { OutboxWorker } from "../gateway/outbox-worker.ts";
import type { OmnivoxMetrics } from "../http/metrics.ts";
import type { Store } from "../store/types.ts";
import type { Speech } from "./speech.ts";

export interface OutboxDeps {
  store: Store;
  systems: readonly System[];
  speech: Speech;
  audioLinks: AudioLinks;
  events: SystemEvents;
  metrics: OmnivoxMetrics;
  logger: Logger;
  pollMs?: number | undefined;
  /** Shared with the receiver, which claims deliveries into them as it stores them. */
  slots?: OutboxSlots;
}

export function createOutbox(
  config: Pick<Config, "outbox" | "speech" | "cluster" | "voicemail">,
  deps: OutboxDeps,
): { adapters: AdapterRegistry; worker: OutboxWorker } {
  const { store, speech, metrics, logger } = deps;
  const adapters = new AdapterRegistry();
  for (const adapter of deps.systems.flatMap((s) => s.adapters ?? [])) adapters.register(adapter);
  const worker = new OutboxWorker({
    store,
    adapters,
    converters: speech.converters(
      defaultConverters({
        audioLinks: deps.audioLinks,
        transcribeAudio: storedAudioTranscriber(speech.stt, store.audio, config.speech.language),
        audioFormat: config.voicemail.audioFormat,
      }),
    ),
    logger,
    // In a cluster a restarted node must not take back what live nodes are delivering.
    options: { ...config.outbox, pollMs: deps.pollMs, clustered: config.cluster !== undefined },
    ...(deps.slots ? { slots: deps.slots } : {}),
    observer: {
      attempt: (scheme, result) => metrics.deliveryAttempts.inc({ scheme, result }),
      delivered: (scheme, seconds) => metrics.deliveryLatency.observe({ scheme }, seconds),
    },
  });
  deps.events.on("committed", (c, claimed, unclaimed) => {
    worker.adopt(c, claimed);
    if (unclaimed > 0) worker.wake();
  });
  deps.events.on("outboxDue", () => worker.wake());
  deps.events.on("targetAvailable", (address) => {
    worker
      .release(formatAddress(address))
      .catch((err) => logger.error({ err }, "cannot release held deliveries"));
  });
  return { adapters, worker };
}
