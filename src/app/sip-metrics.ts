// SIP and RTP metrics for /metrics (docs/security.md "SIP limits"): the endpoint and the
// telephone service keep plain counts (protocol modules know no prom-client); this reads them at
// scrape time into requests by method, responses by class, calls, RTP ports, throttled sources,
// SIP connections per transport and the SIP share of omnivox_throttled_total.

import { Counter, Gauge } from "prom-client";
import type { TelephoneService } from "../adapters/telephone/service.ts";
import { addDeltas, type OmnivoxMetrics } from "../http/metrics.ts";

export function registerSipMetrics(metrics: OmnivoxMetrics, service: TelephoneService): void {
  const registers = [metrics.registry];
  const endpoint = service.endpoint;
  const seenRequests = new Map<string, number>();
  new Counter<"method">({
    name: "omnivox_sip_requests_total",
    help: "SIP requests received by method (retransmissions included; unknown methods as other)",
    labelNames: ["method"] as const,
    registers,
    collect() {
      addDeltas(this, seenRequests, (method) => ({ method }), endpoint.stats.requests);
    },
  });
  const seenResponses = new Map<string, number>();
  new Counter<"class">({
    name: "omnivox_sip_responses_total",
    help: "SIP responses sent by status class (retransmissions included)",
    labelNames: ["class"] as const,
    registers,
    collect() {
      addDeltas(this, seenResponses, (cls) => ({ class: cls }), endpoint.stats.responses);
    },
  });
  new Gauge({
    name: "omnivox_sip_active_calls",
    help: "Inbound calls in progress (ringing or answered)",
    registers,
    collect() {
      this.set(service.activeCalls);
    },
  });
  new Gauge({
    name: "omnivox_rtp_ports_in_use",
    help: "RTP ports leased by calls in and out",
    registers,
    collect() {
      this.set(service.rtpPortsInUse);
    },
  });
  new Gauge({
    name: "omnivox_sip_throttled_sources",
    help: "Source addresses flooding now or banned by the SIP per-source limits",
    registers,
    collect() {
      this.set(endpoint.throttledSources);
    },
  });
  new Gauge({
    name: "omnivox_sip_transactions",
    help: "Live SIP transactions, ours and the peers'",
    registers,
    collect() {
      this.set(endpoint.transactionCount);
    },
  });
  metrics.countConnections("sip-tcp", () => endpoint.connectionCounts().tcp ?? 0);
  if (service.tlsAddress)
    metrics.countConnections("sip-tls", () => endpoint.connectionCounts().tls ?? 0);
  metrics.countThrottled("sip", () => {
    const s = endpoint.stats;
    return {
      rate: s.throttled.rate,
      transactions: s.throttled.transactions,
      banned: s.throttled.banned,
      overloaded: s.overloaded,
      calls: service.callsRefused,
      connections: s.connectionsRefused.total,
      "per-source": s.connectionsRefused["per-source"],
      "message-timeout": s.connectionsRefused["message-timeout"],
    };
  });
}
