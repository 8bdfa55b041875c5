// The XMPP system (README "Voicemail by mail and chat"): the XEP-0114 component from the `xmpp`
// config section, delivering to JIDs and showing the voicemail indicator; a JID coming online
// is announced on the event port.

import type { Logger } from "pino";
import type { SystemEvents } from "../../core/events.ts";
import type { Gateway, LinkOwnership, System, TargetRelay } from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import { component } from "../../protocols/xmpp/index.ts";
import { XmppAdapter } from "./adapter.ts";
import { componentRelay } from "./forward.ts";

/** The `xmpp` section as this system reads it, `server` parsed. */
export interface XmppOptions {
  server: { host: string; port: number };
  domain: string;
  secret: string;
  receiptWaitMs: number;
  receiptTimeoutMs: number;
}

export interface XmppDeps {
  gateway: Pick<Gateway, "receive">;
  events: SystemEvents;
  /** Every user's profile: the JIDs the component serves presence to. */
  listUsers(): Promise<Profile[]>;
  logger: Logger;
  /**
   * In a cluster: the component runs on one node at a time (the `xmpp` lease) and the others
   * send through it (docs/cluster.md "Ownership").
   */
  cluster?: { ownership: LinkOwnership; relay: TargetRelay };
}

export interface Xmpp extends System {
  readonly adapter: XmppAdapter;
}

export function create(opts: XmppOptions, deps: XmppDeps): Xmpp {
  const adapter = new XmppAdapter({
    component: component({
      ...opts.server,
      domain: opts.domain,
      secret: opts.secret,
      logger: deps.logger,
    }),
    gateway: deps.gateway,
    listUsers: deps.listUsers,
    receiptWaitMs: opts.receiptWaitMs,
    receiptTimeoutMs: opts.receiptTimeoutMs,
    logger: deps.logger,
    ...(deps.cluster
      ? {
          cluster: {
            ownership: deps.cluster.ownership,
            relay: componentRelay(deps.cluster.relay, opts.domain),
          },
        }
      : {}),
  });
  adapter.onAvailable((address) => deps.events.emit("targetAvailable", address));
  // What another node's component saw comes in on the event port.
  if (deps.cluster)
    deps.events.on("targetAvailable", (address) => {
      if (address.scheme === "xmpp") adapter.heardAvailable(address.jid);
    });
  return { name: "xmpp", adapter, adapters: [adapter], indicatorTargets: [adapter] };
}
