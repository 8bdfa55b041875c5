// Wires the XMPP IM adapter (README "Voicemail by mail and chat") into the running gateway: the XEP-0114 component from the
// `xmpp` config section (`server` "host:port", `domain`, `secret`). Nothing runs without `server`.

import type { Logger } from "pino";
import { XmppAdapter } from "../adapters/xmpp/adapter.ts";
import { type Config, parseListen } from "../config/schema.ts";
import type { Gateway } from "../core/ports.ts";
import { component } from "../protocols/xmpp/index.ts";
import type { Store } from "../store/types.ts";

export interface XmppSystem {
  /** Register with the adapters; its start() connects the component. */
  adapter: XmppAdapter;
  stop(): Promise<void>;
}

export interface XmppDeps {
  store: Store;
  gateway: Pick<Gateway, "receive">;
  logger: Logger;
}

export function startXmpp(config: Pick<Config, "xmpp">, deps: XmppDeps): XmppSystem | undefined {
  const { server, domain, secret } = config.xmpp;
  if (!server) return undefined;
  const { host, port } = parseListen(server);
  const adapter = new XmppAdapter({
    component: component({ host, port, domain, secret, logger: deps.logger }),
    gateway: deps.gateway,
    listUsers: () => deps.store.users.list(),
    logger: deps.logger,
  });
  return { adapter, stop: () => adapter.stop() };
}
