// Webhooks (README "Webhooks"): apps of the operator's that take every communication a route
// sends them as a signed JSON POST. Push only: nothing arrives from a webhook, nothing listens.

import type { Logger } from "pino";
import type { System } from "../../core/ports.ts";
import { WebhookAdapter } from "./adapter.ts";
import type { WebhookEndpoint } from "./post.ts";

export { type WebhookEvent, webhookEventSchema } from "./event.ts";
export { verifyWebhook } from "./signature.ts";

export interface WebhookOptions {
  /** The configured endpoints (`webhooks`), by unique id. */
  webhooks: readonly WebhookEndpoint[];
  /** `omnivox/<version>`, sent as User-Agent. */
  userAgent: string;
}

export interface WebhookDeps {
  logger: Logger;
}

export function create(opts: WebhookOptions, deps: WebhookDeps): System {
  const logger = deps.logger.child({ component: "webhook" });
  return { name: "webhook", adapters: [new WebhookAdapter(opts.webhooks, opts.userAgent, logger)] };
}
