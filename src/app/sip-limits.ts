// `sip.limits` as the SIP endpoint and the telephone service take them (docs/security.md "SIP
// limits"): per-source budgets with the trusted proxies exempt, and the per-source call cap.

import type { Config } from "../config/schema.ts";
import { parsePortRange } from "../protocols/rtp/port-pool.ts";
import type { EndpointLimits } from "../protocols/sip/endpoint.ts";

export function endpointLimits(config: Config): EndpointLimits {
  const l = config.sip.limits;
  return {
    maxTransactions: l.maxTransactions,
    clientReserve: l.clientReserve,
    retryAfter: l.retryAfter,
    tcpMaxConnections: l.tcpMaxConnections,
    tcpMaxConnectionsPerSource: l.tcpMaxConnectionsPerSource,
    tcpIdleTimeoutMs: l.tcpIdleTimeoutMs,
    tcpMessageTimeoutMs: l.tcpMessageTimeoutMs,
    perSource: {
      rates: { invite: l.invite, register: l.register, subscribe: l.subscribe, other: l.other },
      transactionShare: l.transactionShare,
      rejectFirst: l.rejectFirst,
      floodQuietMs: l.floodQuietMs,
      ban: l.ban,
      maxSources: l.maxSources,
      exempt: [...config.sip.trustedProxies, ...l.exempt],
    },
  };
}

/** `sip.limits.callsPerSource`, or 10 % of the even RTP ports and at least 10. */
export function callsPerSource(config: Config): number {
  if (config.sip.limits.callsPerSource !== undefined) return config.sip.limits.callsPerSource;
  const range = parsePortRange(config.sip.rtpPorts);
  const first = range.min + (range.min % 2);
  const ports = Math.floor((range.max - first) / 2) + 1;
  return Math.max(10, Math.floor(ports / 10));
}
