// Via handling at the endpoint: stamping received/rport on arrival (RFC 3261 §18.2.1, RFC 3581
// §4), choosing where a response goes (§18.2.2), and the Via a client transaction adds (§8.1.1.7).

import { formatHostPort, type HostPort } from "../../core/host-port.ts";
import { parseVia, type SipHeaders, type Via } from "./message/index.ts";
import type { MessageSource, TransportKind } from "./transport/types.ts";

/**
 * Adds `received` when sent-by differs from the source address, and fills an empty `rport`
 * (then `received` is added even when equal, as RFC 3581 §4 requires). Returns the parsed top
 * Via after the change, or null when there is none that parses.
 */
export function stampVia(headers: SipHeaders, source: HostPort): Via | null {
  for (const entry of headers) {
    if (entry.key !== "via") continue;
    const via = parseVia(entry.value);
    if (via === null) return null;
    const wantsRport = via.params.has("rport") && via.params.get("rport") === null;
    let value = entry.value;
    if (wantsRport) value = value.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${source.port}`);
    if (
      (via.host.replace(/^\[|\]$/g, "") !== source.host || wantsRport) &&
      !via.params.has("received")
    ) {
      value = `${value};received=${source.host}`;
    }
    if (value === entry.value) return via;
    entry.value = value;
    return parseVia(value);
  }
  return null;
}

/**
 * §18.2.2 for unreliable transports: received, and the rport the request came from (RFC 3581
 * §4). For a stream whose connection is gone, a new one goes to received and the sent-by port —
 * the source port of a closed connection listens for nothing (§18.2.2, RFC 3581 §4).
 */
export function viaDestination(via: Via, reliable = false): HostPort {
  const received = via.params.get("received");
  const rport = Number(via.params.get("rport") ?? Number.NaN);
  const host = received ?? via.host.replace(/^\[|\]$/g, "");
  const sentByPort = via.port ?? (via.transport.toUpperCase() === "TLS" ? 5061 : 5060);
  const useRport = !reliable && Number.isInteger(rport) && rport > 0 && rport < 65536;
  return { host, port: useRport ? rport : sentByPort };
}

/** Where a response goes: over a stream, back on the request's connection while it is open (§18.2.2). */
export function responseDestination(
  via: Via,
  source: MessageSource,
  isConnected: (dest: HostPort) => boolean,
): HostPort {
  if (source.transport === "udp") return viaDestination(via);
  if (isConnected(source)) return { host: source.host, port: source.port };
  return viaDestination(via, true);
}

/** The Via value a UAC adds: our sent-by, a fresh branch and an empty rport (RFC 3581). */
export function ourVia(transport: TransportKind, sentBy: HostPort, branch: string): string {
  return `SIP/2.0/${transport.toUpperCase()} ${formatHostPort(sentBy)};branch=${branch};rport`;
}
