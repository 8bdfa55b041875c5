// What the HTTP layer needs from the rest of omnivox, passed in by the composition root (the
// atproto lesson: narrow dependencies, no service locator); tests pass their own.

import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { WebClientHub } from "../adapters/web/hub.ts";
import type { Config } from "../config/schema.ts";
import type { Gateway } from "../core/ports.ts";
import type { Store } from "../store/types.ts";
import type { Authenticator } from "./auth.ts";

export interface HttpDeps {
  /** The effective configuration; `http.adminToken` must be set (the lead fills it from env). */
  config: Config;
  store: Store;
  logger: Logger;
  /** Receives communications submitted over the API (POST /messages, WebSocket `send`). */
  gateway: Gateway;
  /** Owns the WebSocket connections of web clients; the stream route hands sockets to it. */
  webClients: WebClientHub;
  /** Exposed at /metrics (createMetrics().registry). */
  metrics: Registry;
  /** Named checks for /healthz: every one true → 200, else 503. */
  health: () => Promise<Record<string, boolean>>;
}

/** The options every route plugin under routes/ is registered with. */
export interface RouteContext {
  deps: HttpDeps;
  auth: Authenticator;
}
