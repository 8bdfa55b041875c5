// Binding the endpoint's listeners (RFC 3261 §18): UDP and TCP asked for port 0 share one free
// port, found by retrying when another process holds the number for TCP.

import type { HostPort } from "../../core/host-port.ts";
import type { Transport } from "./transport/types.ts";

export interface BoundAddresses {
  udp?: HostPort;
  tcp?: HostPort;
  tls?: HostPort;
}

/**
 * Binds UDP on a free port, then TCP on the same number; when another process holds that number
 * for TCP, both let go and try again on a new one.
 */
export async function bindCommonPort(
  udp: Transport,
  tcp: Transport,
  attempts = 20,
): Promise<{ udp: HostPort; tcp: HostPort }> {
  for (let attempt = 1; ; attempt++) {
    const u = await udp.listen(0);
    try {
      return { udp: u, tcp: await tcp.listen(u.port) };
    } catch (err) {
      await udp.close();
      const inUse = /EADDRINUSE|address already in use/i.test(
        String((err as { cause?: unknown }).cause ?? err),
      );
      if (!inUse || attempt >= attempts) throw err;
    }
  }
}
