// `host:port` as written in the configuration and in logs: an IPv6 host goes in brackets
// (RFC 3986 §3.2.2), a port is 0–65535 (or 1–65535 where something is dialled). Pure.

export interface HostPort {
  host: string;
  port: number;
}

/** Why a text is not a `host:port`: not of that form at all, or a port out of range. */
export type HostPortProblem = "form" | "port";

export type HostPortParse = { ok: true; value: HostPort } | { ok: false; problem: HostPortProblem };

export interface HostPortRules {
  /** 0 where a listener may pick a free port; 1 for an address to connect to (default 0). */
  minPort?: 0 | 1;
}

// A bracketed IPv6 literal, or a name or IPv4 address without spaces, colons, brackets or slashes
// (so that a URL such as "xmpp://host:5347" is refused rather than read as host "xmpp").
const FORM = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/;

/** `127.0.0.1:8080`, `pbx.example:7000`, `[::1]:0` → host (brackets removed) and port. */
export function parseHostPort(text: string, rules: HostPortRules = {}): HostPortParse {
  const match = FORM.exec(text);
  const host = match?.[1] ?? match?.[2];
  if (!match || !host) return { ok: false, problem: "form" };
  const port = Number(match[3]);
  if (port < (rules.minPort ?? 0) || port > 65_535) return { ok: false, problem: "port" };
  return { ok: true, value: { host, port } };
}

/** The inverse of parseHostPort: IPv6 back in brackets, for logs, map keys and config values. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
