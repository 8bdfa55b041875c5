// SIP trunks to the PSTN (README "Trunks"): which trunk calls a number (the longest `numbers`
// prefix), the Request-URI and next hop of such a call (RFC 3261 §19.1.6 tel: as sip: user), and
// whether a sip: host is a trunk's. No DNS SRV (RFC 3263): host and port as configured.

import type { Destination } from "../../protocols/sip/endpoint.ts";

export interface Trunk {
  id: string;
  /** Where INVITE and REGISTER are sent. */
  proxy: Destination;
  /** The proxy's host as written (the Request-URI host; a name, not only an address). */
  host: string;
  /** Digest credentials for the trunk's 401/407 challenges. */
  credentials?: { username: string; password: string };
  register: boolean;
  registerExpires: number;
  /** Host of the caller-ID From URI. */
  fromDomain: string;
  /** Number prefixes; "" matches every number. */
  numbers: string[];
}

export interface TrunkConfig {
  id: string;
  proxy: string;
  username?: string;
  password?: string;
  register?: boolean;
  registerExpires?: number;
  fromDomain?: string;
  numbers?: string[];
}

/** `host[:port][;transport=udp|tcp]` (validated by the config schema) as a next hop. */
export function parseTrunkProxy(proxy: string): { host: string; dest: Destination } {
  const [hostPort = "", ...params] = proxy.split(";");
  const transport = params.some((p) => /^transport=tcp$/i.test(p)) ? "tcp" : "udp";
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
  const host = m?.[1] ?? hostPort;
  const port = m?.[2] ? Number(m[2]) : 5060;
  return { host, dest: { host: host.replace(/^\[|\]$/g, ""), port, transport } };
}

export function trunkOf(c: TrunkConfig): Trunk {
  const { host, dest } = parseTrunkProxy(c.proxy);
  return {
    id: c.id,
    proxy: dest,
    host,
    ...(c.username !== undefined && c.password !== undefined
      ? { credentials: { username: c.username, password: c.password } }
      : {}),
    register: c.register ?? false,
    registerExpires: c.registerExpires ?? 600,
    fromDomain: c.fromDomain ?? host,
    numbers: c.numbers ?? [],
  };
}

/** A leading "+" is not significant when numbers are compared (E.164 with or without it). */
const digitsOf = (n: string): string => n.replace(/^\+/, "");

/** The trunk whose longest `numbers` prefix matches; undefined when none does. */
export function trunkFor(trunks: readonly Trunk[], number: string): Trunk | undefined {
  let best: Trunk | undefined;
  let bestLength = -1;
  const digits = digitsOf(number);
  for (const trunk of trunks) {
    for (const prefix of trunk.numbers) {
      const p = digitsOf(prefix);
      if (digits.startsWith(p) && p.length > bestLength) {
        best = trunk;
        bestLength = p.length;
      }
    }
  }
  return best;
}

/** The host part of a URI the trunk is addressed by: its host, and its port when not 5060. */
export function trunkHostPort(trunk: Trunk): string {
  return trunk.proxy.port === 5060 ? trunk.host : `${trunk.host}:${trunk.proxy.port}`;
}

/** `sip:<number>@<trunk host>` sent to the trunk's proxy. */
export function trunkCall(trunk: Trunk, number: string): { uri: string; dest: Destination } {
  const transport = trunk.proxy.transport === "tcp" ? ";transport=tcp" : "";
  return { uri: `sip:${number}@${trunkHostPort(trunk)}${transport}`, dest: trunk.proxy };
}

/** The trunk a sip: URI's host (and port) names, if any. */
export function trunkAt(
  trunks: readonly Trunk[],
  host: string,
  port: number | undefined,
): Trunk | undefined {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return trunks.find(
    (t) =>
      (t.host.replace(/^\[|\]$/g, "").toLowerCase() === h || t.proxy.host.toLowerCase() === h) &&
      (port ?? 5060) === t.proxy.port,
  );
}
