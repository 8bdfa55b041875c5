// The next hop a sip: or sips: URI names by itself (RFC 3263 without DNS SRV: host and port as
// written; sips: and `;transport=tls` go over TLS, default port 5061).

import type { Destination } from "./endpoint-types.ts";
import { parseUri } from "./message/index.ts";

/** Where one call goes: the Request-URI and the next hop. */
export interface UriRoute {
  uri: string;
  dest: Destination;
}

export function routeOfSipUri(uri: string): UriRoute | undefined {
  const parsed = parseUri(uri);
  if ((parsed?.scheme !== "sip" && parsed?.scheme !== "sips") || !parsed.host) return undefined;
  const param = parsed.params.get("transport")?.toLowerCase() ?? "udp";
  const transport = parsed.scheme === "sips" || param === "tls" ? "tls" : param;
  if (transport !== "udp" && transport !== "tcp" && transport !== "tls") return undefined;
  const host = parsed.host.replace(/^\[|\]$/g, "");
  const port = parsed.port ?? (transport === "tls" ? 5061 : 5060);
  return { uri, dest: { host, port, transport } };
}
