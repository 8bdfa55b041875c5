// XMPP for omnivox: the XEP-0114 component connection with reconnect and iq helpers, stanzas as
// plain element trees, XEP-0106 JID escaping. `component()` wires them as xmpp.js's preset does.

import { ComponentConnection, type ComponentOptions } from "./component.ts";
import { IqCaller } from "./iq.ts";
import { type ReconnectOptions, Reconnector } from "./reconnect.ts";

export * from "./component.ts";
export * from "./errors.ts";
export * from "./iq.ts";
export * from "./jid.ts";
export * from "./parser.ts";
export * from "./reconnect.ts";
export * from "./xml.ts";

export interface Component {
  connection: ComponentConnection;
  reconnect: Reconnector;
  iq: IqCaller;
  /** Connects and keeps reconnecting until stop(). */
  start(): void;
  /** Stops reconnecting and closes the stream. */
  stop(): Promise<void>;
}

export function component(
  options: ComponentOptions & {
    reconnect?: Omit<ReconnectOptions, "connection">;
    iqTimeoutMs?: number;
  },
): Component {
  const connection = new ComponentConnection(options);
  const reconnect = new Reconnector({
    connection,
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.reconnect,
  });
  const iq = new IqCaller(connection, options.iqTimeoutMs);
  return {
    connection,
    reconnect,
    iq,
    start: () => reconnect.start(),
    stop: async () => {
      reconnect.stop();
      await connection.close();
    },
  };
}
