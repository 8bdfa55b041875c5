// Our Contact URI per transport (RFC 3261 §8.1.1.8, §12.1.1, §26.2): it names the transport and
// the port of the listener a request or dialog uses, so the peer's in-dialog requests (ACK, BYE,
// NOTIFY) come back over the same kind of connection; a SIPS request gets a sips: Contact.

import { formatHostPort, type HostPort } from "../../core/host-port.ts";
import { parseNameAddr, parseUri, type SipRequest } from "./message/index.ts";
import type { TransportKind } from "./transport/types.ts";

export interface ContactOptions {
  /** The user part; default "omnivox". */
  user?: string;
  /** A sips: URI (only meaningful over TLS). */
  secure?: boolean;
}

/** `sip:omnivox@host:port`, `…;transport=tcp`, `…;transport=tls` or `sips:omnivox@host:port`. */
export function contactUri(
  transport: TransportKind,
  sentBy: HostPort,
  options: ContactOptions = {},
): string {
  const user = options.user ?? "omnivox";
  const at = `${encodeURIComponent(user)}@${formatHostPort(sentBy)}`;
  if (transport === "tls") return options.secure ? `sips:${at}` : `sip:${at};transport=tls`;
  return transport === "tcp" ? `sip:${at};transport=tcp` : `sip:${at}`;
}

/**
 * Whether the answer to a dialog-creating request must carry a SIPS Contact (§12.1.1): the
 * Request-URI, the top Record-Route or (without one) the Contact is a SIPS URI.
 */
export function wantsSips(req: SipRequest): boolean {
  const isSips = (uri: string | undefined) => parseUri(uri ?? "")?.scheme === "sips";
  if (isSips(req.uri)) return true;
  const recordRoute = req.headers.get("record-route");
  const top = recordRoute ?? req.headers.get("contact");
  return top !== undefined && isSips(parseNameAddr(top.split(/,(?![^<]*>)/)[0] ?? "")?.uri);
}
