// `sip.limits` as the SIP endpoint and the telephone service take them (docs/security.md "SIP
// limits"): per-source budgets with the trusted proxies exempt, and the per-source call cap.

import { isIP } from "node:net";
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
      exempt: [...config.sip.trustedProxies, ...trunkAddresses(config), ...l.exempt],
    },
  };
}

/**
 * The trunks' proxies given as IP addresses: the carrier sends every inbound call and answer from
 * there, so a busy hour is not a flood. A proxy given by name is not resolved here: list its
 * addresses in `sip.limits.exempt`.
 */
function trunkAddresses(config: Config): string[] {
  return config.sip.trunks.flatMap((t) => {
    const host = /^(?:\[([^\]]+)\]|([^:;]+))/.exec(t.proxy);
    const address = host?.[1] ?? host?.[2] ?? "";
    return isIP(address) ? [address] : [];
  });
}

/** `sip.limits.callsPerSource`, or 10 % of the even RTP ports and at least 10. */
export function callsPerSource(config: Config): number {
  if (config.sip.limits.callsPerSource !== undefined) return config.sip.limits.callsPerSource;
  const range = parsePortRange(config.sip.rtpPorts);
  const first = range.min + (range.min % 2);
  const ports = Math.floor((range.max - first) / 2) + 1;
  return Math.max(10, Math.floor(ports / 10));
}
