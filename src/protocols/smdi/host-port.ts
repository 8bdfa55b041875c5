// Reads the `host:port` values of the `smdi[]` config (`connect` / `listen`) for the SMDI link
// (GR-283-CORE runs over a serial line; omnivox carries it over TCP). IPv6 hosts go in brackets.

export interface HostPort {
  host: string;
  port: number;
}

/** `127.0.0.1:3000`, `pbx.example:7000`, `[::1]:0`; throws RangeError naming the bad value. */
export function parseHostPort(value: string): HostPort {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  const host = match?.[1] ?? match?.[2];
  if (!host || !(port >= 0 && port <= 65535)) {
    throw new RangeError(`SMDI link address "${value}": expected host:port`);
  }
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
