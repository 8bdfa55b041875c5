// A cap on the TCP connections one source (core/source-address.ts) may hold open on the HTTP
// listener, WebSockets included (docs/security.md "Connection limits"). A connection over it is
// closed at once, before the HTTP server reads a byte of it (as a firewall's connlimit would):
// answering would mean parsing a request from a client that already holds too much.

import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { sourceKey } from "../core/source-address.ts";

/** Installs the cap on `server`; `max` 0 turns it off. */
export function capConnectionsPerSource(
  server: Server,
  max: number,
  logger: Logger,
  onRefused: () => void = () => {},
): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  // Prepended, so it runs before the HTTP server's own listener attaches a parser.
  server.prependListener("connection", (socket: Socket) => {
    const source = sourceKey(socket.remoteAddress ?? "");
    const count = open.get(source) ?? 0;
    if (count >= max) {
      logger.warn(
        { source, open: count, limit: max },
        "http connection refused: too many from this source",
      );
      onRefused();
      socket.destroy();
      return;
    }
    open.set(source, count + 1);
    socket.once("close", () => {
      const left = (open.get(source) ?? 1) - 1;
      if (left > 0) open.set(source, left);
      else open.delete(source);
    });
  });
}
