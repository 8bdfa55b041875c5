// The outbound adapter for `webhook:<id>` addresses: each delivery is one signed JSON event
// POSTed to the configured URL (README "Webhooks"); the outbox retries what may pass.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { Rendition } from "../../core/rendition.ts";
import { outcomeOf } from "./answer.ts";
import { webhookEvent } from "./event.ts";
import { postEvent, type WebhookEndpoint } from "./post.ts";

export class WebhookAdapter implements Adapter {
  readonly name = "webhook";
  readonly #endpoints: Map<string, WebhookEndpoint>;

  constructor(
    endpoints: readonly WebhookEndpoint[],
    private readonly userAgent: string,
    private readonly logger: Logger,
  ) {
    this.#endpoints = new Map(endpoints.map((e) => [e.id, e]));
  }

  /** Every webhook address, configured or not: one that is not fails naming its id. */
  handles(address: Address): boolean {
    return address.scheme === "webhook";
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(
    c: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string | undefined> {
    const { address } = target;
    if (address.scheme !== "webhook")
      throw new DeliveryError(`the webhook adapter cannot send to ${address.scheme}:`, true);
    const endpoint = this.#endpoints.get(address.id);
    if (!endpoint)
      throw new DeliveryError(
        `no webhook "${address.id}" in the configuration (webhooks[].id)`,
        true,
      );
    const body = JSON.stringify(webhookEvent(c, rendition, target.deliveryId));
    const answer = await postEvent(endpoint, body, {
      deliveryId: target.deliveryId,
      userAgent: this.userAgent,
    });
    const nativeId = outcomeOf(endpoint.id, answer);
    this.logger.debug(
      { webhook: endpoint.id, deliveryId: target.deliveryId, status: answer.status },
      "webhook: event taken",
    );
    return nativeId;
  }
}
