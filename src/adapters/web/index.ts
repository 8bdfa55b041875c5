// The web client system (README "The outside contract" stream): the hub of the users' browser
// connections — an outbound adapter for `web:` addresses, the voicemail indicator's target, and the
// clients that show waiting calls. Its sockets arrive through the HTTP listener, which closes it.

import type { Logger } from "pino";
import type { CallActions } from "../../core/call-waiting.ts";
import type { SystemEvents } from "../../core/events.ts";
import type { Gateway, System, TargetRelay } from "../../core/ports.ts";
import { WebClientHub, type WebClientHubOptions } from "./hub.ts";

/** The limits of the web client connections, from the `outbox`, `http` and `messages` sections. */
export interface WebOptions {
  ackTimeoutMs: number;
  maxSocketsPerUser: number;
  sendRate: { burst: number; perMinute: number };
}

export interface WebDeps {
  gateway: Pick<Gateway, "receive">;
  events: SystemEvents;
  /** Where the clients' choices for waiting calls go (the call-waiting system). */
  callActions?: CallActions;
  onThrottle?: WebClientHubOptions["onThrottle"];
  /** In a cluster: the node holding a client's socket delivers to it (docs/cluster.md). */
  relay?: TargetRelay;
  logger: Logger;
}

export interface Web extends System {
  readonly hub: WebClientHub;
}

export function create(opts: WebOptions, deps: WebDeps): Web {
  const hub = new WebClientHub({
    gateway: deps.gateway,
    logger: deps.logger,
    ackTimeoutMs: opts.ackTimeoutMs,
    maxSocketsPerUser: opts.maxSocketsPerUser,
    sendRate: opts.sendRate,
    ...(deps.callActions ? { callActions: deps.callActions } : {}),
    ...(deps.onThrottle ? { onThrottle: deps.onThrottle } : {}),
    ...(deps.relay ? { relay: deps.relay } : {}),
  });
  hub.onAvailable((address) => deps.events.emit("targetAvailable", address));
  return { name: "web", hub, adapters: [hub], indicatorTargets: [hub] };
}
