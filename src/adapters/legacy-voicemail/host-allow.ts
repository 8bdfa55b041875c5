// The legacy voicemail hosts an unsolicited NOTIFY may come from: the hosts of the `sip` systems
// the profiles name, by address. Names are resolved when first needed and again after a minute,
// so a box that moves is followed without asking DNS for every NOTIFY.

import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { normalizeAddress } from "../../protocols/sip/transport/types.ts";

export type Resolve = (host: string) => Promise<string[]>;

const defaultResolve: Resolve = async (host) =>
  (await dnsLookup(host, { all: true })).map((a) => a.address);

const TTL_MS = 60_000;

export class HostAllowList {
  readonly #hosts = new Map<string, { addresses: Set<string>; at: number }>();

  constructor(private readonly resolve: Resolve = defaultResolve) {}

  /** Replaces the host names (as written in the URIs; case does not matter). */
  set(hosts: Iterable<string>): void {
    const wanted = new Set([...hosts].map(bare));
    for (const h of this.#hosts.keys()) if (!wanted.has(h)) this.#hosts.delete(h);
    for (const h of wanted)
      if (!this.#hosts.has(h)) this.#hosts.set(h, { addresses: new Set(), at: 0 });
  }

  /** The hosts (as written) whose addresses include `address`, resolving stale names first. */
  async hostsOf(address: string): Promise<string[]> {
    const ip = normalizeAddress(bare(address));
    const now = Date.now();
    await Promise.all(
      [...this.#hosts].map(async ([host, entry]) => {
        if (isIP(host) || now - entry.at < TTL_MS) return;
        entry.at = now;
        try {
          entry.addresses = new Set((await this.resolve(host)).map(normalizeAddress));
        } catch {
          // Unresolvable now: no NOTIFY is accepted from it until a later lookup works.
          entry.addresses = new Set();
        }
      }),
    );
    return [...this.#hosts]
      .filter(([host, e]) => (isIP(host) ? normalizeAddress(host) === ip : e.addresses.has(ip)))
      .map(([host]) => host);
  }
}

/** Host names compare without case and IPv6 brackets. */
export function bare(host: string): string {
  return host.replace(/^\[|\]$/g, "").toLowerCase();
}
