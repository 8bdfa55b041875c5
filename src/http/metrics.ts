// Prometheus metrics (exposition format 0.0.4 via prom-client): the outbox by state, delivery
// latency and attempts, open connections per listener and what the connection limits refused
// (docs/security.md), event-loop lag, plus the default process metrics.

import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { OutboxRepo } from "../store/types.ts";

export interface OmnivoxMetrics {
  registry: Registry;
  /** Deliveries per state and target scheme, read from the store at scrape time. */
  deliveries: Gauge<"state" | "scheme">;
  /** Seconds from a communication's receivedAt to its delivery, per target scheme. */
  deliveryLatency: Histogram<"scheme">;
  /** One per attempt; result is delivered | retry | held | failed. */
  deliveryAttempts: Counter<"scheme" | "result">;
  /** Open connections per listener (smtp, http, websocket), counted at scrape time. */
  connections: Gauge<"listener">;
  /** Connections refused or cut, and sends refused, by a limit; per listener and reason. */
  throttled: Counter<"listener" | "reason">;
  /** Tells the connections gauge how to count one listener's open connections. */
  countConnections(listener: string, count: () => number | Promise<number>): void;
  /**
   * Feeds omnivox_throttled_total for `listener` from monotonic counts kept elsewhere (a protocol
   * module's stats, which must not know prom-client): each scrape adds what grew since the last.
   */
  countThrottled(listener: string, read: () => Readonly<Record<string, number>>): void;
  /** Stops the event-loop monitor. */
  close(): void;
}

/**
 * A counter fed at scrape time from monotonic counts by label value: adds what grew since the
 * last scrape (a count that went down, e.g. a restarted component, starts afresh).
 */
export function addDeltas<L extends string>(
  counter: Counter<L>,
  seen: Map<string, number>,
  labels: (key: string) => Partial<Record<L, string>>,
  counts: Readonly<Record<string, number>>,
  prefix = "",
): void {
  for (const [key, value] of Object.entries(counts)) {
    const id = `${prefix}\u0000${key}`;
    const last = seen.get(id) ?? 0;
    const grew = value >= last ? value - last : value;
    seen.set(id, value);
    if (grew > 0) counter.inc(labels(key), grew);
  }
}

export interface MetricsOptions {
  outbox: Pick<OutboxRepo, "countByState">;
  logger?: Logger;
  /** Off in tests that build many registries; default true. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions): OmnivoxMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: "omnivox_" });

  const deliveries = new Gauge<"state" | "scheme">({
    name: "omnivox_deliveries",
    help: "Deliveries in the outbox by state and target scheme",
    labelNames: ["state", "scheme"] as const,
    registers: [registry],
    async collect() {
      // A scrape must not fail because the database is slow or down: report nothing instead.
      try {
        const rows = await opts.outbox.countByState();
        this.reset();
        for (const row of rows) this.set({ state: row.state, scheme: row.scheme }, row.count);
      } catch (err) {
        this.reset();
        opts.logger?.warn({ err }, "metrics: outbox count failed");
      }
    },
  });

  const deliveryLatency = new Histogram<"scheme">({
    name: "omnivox_delivery_latency_seconds",
    help: "Time from a communication's arrival to its delivery to one target",
    labelNames: ["scheme"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [registry],
  });

  const deliveryAttempts = new Counter<"scheme" | "result">({
    name: "omnivox_delivery_attempts_total",
    help: "Delivery attempts by target scheme and result",
    labelNames: ["scheme", "result"] as const,
    registers: [registry],
  });

  const counters = new Map<string, () => number | Promise<number>>();
  const connections = new Gauge<"listener">({
    name: "omnivox_connections",
    help: "Open connections per listener",
    labelNames: ["listener"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [listener, count] of counters) {
        try {
          this.set({ listener }, await count());
        } catch (err) {
          opts.logger?.warn({ err, listener }, "metrics: connection count failed");
        }
      }
    },
  });

  const throttleSources = new Map<string, () => Readonly<Record<string, number>>>();
  const throttleSeen = new Map<string, number>();
  const throttled = new Counter<"listener" | "reason">({
    name: "omnivox_throttled_total",
    help: "Connections refused or cut, and requests or sends refused, by a connection or rate limit",
    labelNames: ["listener", "reason"] as const,
    registers: [registry],
    collect() {
      for (const [listener, read] of throttleSources) {
        try {
          addDeltas(this, throttleSeen, (reason) => ({ listener, reason }), read(), listener);
        } catch (err) {
          opts.logger?.warn({ err, listener }, "metrics: throttle count failed");
        }
      }
    },
  });

  // p99 of the event loop's delay since the previous scrape: what a SIP retransmission or an RTP
  // packet waited at worst (docs/architecture.md "Performance": nothing may block the loop).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  new Gauge({
    name: "omnivox_event_loop_lag_seconds",
    help: "99th percentile of the event loop delay since the previous scrape, seconds",
    registers: [registry],
    collect() {
      const p99 = loopDelay.count > 0 ? loopDelay.percentile(99) : 0;
      this.set(p99 / 1e9);
      loopDelay.reset();
    },
  });

  return {
    registry,
    deliveries,
    deliveryLatency,
    deliveryAttempts,
    connections,
    throttled,
    countConnections: (listener, count) => counters.set(listener, count),
    countThrottled: (listener, read) => throttleSources.set(listener, read),
    close: () => loopDelay.disable(),
  };
}
