// How a registered phone is reached (RFC 5626 §5.3 flow reuse, RFC 3581 §4 for UDP): over the
// flow its REGISTER arrived on — the open TCP/TLS connection, or the UDP source address a NAT
// maps back to the phone — and only when that flow is gone, at the Contact it registered.

import { destinationOf } from "../dialog/dialog.ts";
import type { Destination } from "../endpoint-types.ts";
import type { TransportKind } from "../transport/types.ts";
import type { Binding } from "./bindings.ts";

const KINDS = new Set<TransportKind>(["udp", "tcp", "tls"]);

/** The flow a binding was registered over, when it names one. */
export function flowOf(b: Binding): Destination | undefined {
  const kind = b.source?.transport.toLowerCase() as TransportKind | undefined;
  if (!b.source || kind === undefined || !KINDS.has(kind)) return undefined;
  return { host: b.source.host, port: b.source.port, transport: kind };
}

/**
 * Where requests to a binding go. A stream flow is used while its connection is open
 * (`isConnected`; without it the flow is assumed open); a UDP flow always (the NAT binding is
 * what the phone keeps alive); else the Contact, or undefined when that cannot be routed.
 */
export function bindingDestination(
  b: Binding,
  isConnected?: (dest: Destination) => boolean,
): Destination | undefined {
  const flow = flowOf(b);
  if (flow && (flow.transport === "udp" || (isConnected?.(flow) ?? true))) return flow;
  try {
    return destinationOf(b.contact);
  } catch {
    return undefined;
  }
}
