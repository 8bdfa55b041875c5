// How a registered phone is reached (RFC 5626 §5.3 flow reuse, RFC 3581 §4 for UDP): over the
// flow its REGISTER arrived on — the open TCP/TLS connection, or the UDP source address a NAT
// maps back to the phone — and only when that flow is gone, at the Contact it registered. A
// Contact registered by a third party (RFC 3261 §10.2: the REGISTER's Via names another host
// than the Contact, and no RFC 5626 `;ob`) is reached at the Contact.

import { destinationOf, firstHop } from "../dialog/dialog.ts";
import type { Destination } from "../endpoint-types.ts";
import { parseUri } from "../message/index.ts";
import type { TransportKind } from "../transport/types.ts";
import type { Binding } from "./bindings.ts";

const KINDS = new Set<TransportKind>(["udp", "tcp", "tls"]);

/** The flow a binding was registered over, when it names one that reaches the Contact's phone. */
export function flowOf(b: Binding): Destination | undefined {
  const kind = b.source?.transport.toLowerCase() as TransportKind | undefined;
  if (!b.source || kind === undefined || !KINDS.has(kind)) return undefined;
  if (!registeredItself(b)) return undefined;
  return { host: b.source.host, port: b.source.port, transport: kind };
}

/** Whether the Contact's own UA sent the REGISTER: `;ob`, or the Via names the Contact's address. */
function registeredItself(b: Binding): boolean {
  const sentBy = b.source?.sentBy;
  if (sentBy === undefined) return true;
  const uri = parseUri(b.contact);
  if (!uri?.host) return true;
  if (uri.params.has("ob")) return true;
  const tls = uri.scheme === "sips" || uri.params.get("transport")?.toLowerCase() === "tls";
  const port = uri.port ?? (tls ? 5061 : 5060);
  return `${uri.host.replace(/^\[|\]$/g, "").toLowerCase()}:${port}` === sentBy;
}

/**
 * Where requests to a binding go. A binding registered through proxies goes to the first hop of
 * its Path (RFC 3327 §5.3). Otherwise a stream flow is used while its connection is open
 * (`isConnected`; without it the flow is assumed open); a UDP flow always (the NAT binding is
 * what the phone keeps alive); else the Contact, or undefined when that cannot be routed.
 */
export function bindingDestination(
  b: Binding,
  isConnected?: (dest: Destination) => boolean,
): Destination | undefined {
  if (b.path?.length) {
    try {
      return firstHop(b.path, b.contact);
    } catch {
      return undefined;
    }
  }
  const flow = flowOf(b);
  if (flow && (flow.transport === "udp" || (isConnected?.(flow) ?? true))) return flow;
  try {
    return destinationOf(b.contact);
  } catch {
    return undefined;
  }
}

/**
 * Whether only the flow its REGISTER came on reaches the phone — an open TCP/TLS connection, or
 * a UDP source other than its Contact (a NAT's mapping, which lets in only the address it was
 * opened to) — so only the node holding that flow can send to it. Not when the binding has a
 * Path (its proxy holds the flow) or was registered by a third party (its Contact is the way).
 */
export function needsFlow(b: Binding): boolean {
  if (b.path?.length) return false;
  const flow = flowOf(b);
  if (!flow) return false;
  if (flow.transport !== "udp") return true;
  try {
    const contact = destinationOf(b.contact);
    return contact.host !== flow.host || contact.port !== flow.port;
  } catch {
    return true;
  }
}
