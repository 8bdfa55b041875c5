// The subscriber side of message-summary (RFC 6665 §4.1, RFC 3842) on one endpoint: starts
// subscriptions and routes each NOTIFY to its subscription by Call-ID and our tag — before the
// dialog registry sees it, because a NOTIFY may arrive ahead of the SUBSCRIBE's 2xx (§4.1.2.4).

import type { Logger } from "pino";
import { type IncomingRequest, ModulePriority, type SipEndpoint } from "../../endpoint.ts";
import { parseNameAddr } from "../../message/index.ts";
import type { TransportKind } from "../../transport/types.ts";
import { MwiClientSubscription, type MwiSubscribeOptions } from "./subscriber.ts";

export interface MwiSubscriberHubOptions {
  /**
   * Our Contact URI (where NOTIFYs come), `;transport=tcp` added for TCP subscriptions; default
   * the endpoint's Contact for each subscription's transport (SipEndpoint.contactFor).
   */
  localContact?: string;
  logger?: Logger;
}

/** How a subscription tells the hub which NOTIFYs are its own. */
export interface NotifyRoutes {
  route(callId: string, localTag: string, sub: MwiClientSubscription): void;
  unroute(callId: string, localTag: string, sub: MwiClientSubscription): void;
  contact(transport: TransportKind): string;
}

const key = (callId: string, tag: string) => `${callId}\u0000${tag}`;

export class MwiSubscriberHub {
  readonly #routes = new Map<string, MwiClientSubscription>();
  readonly #subs = new Set<MwiClientSubscription>();
  readonly #off: () => void;

  constructor(
    readonly endpoint: SipEndpoint,
    private readonly options: MwiSubscriberHubOptions,
  ) {
    this.#off = endpoint.addModule({
      name: "mwi-subscriber",
      priority: ModulePriority.Dialog - 1,
      methods: ["NOTIFY"],
      onRequest: (req) => this.#onNotify(req),
    });
  }

  /** Starts a subscription; it keeps itself alive (refresh, re-subscribe) until `stop()`. */
  subscribe(options: MwiSubscribeOptions): MwiClientSubscription {
    const routes: NotifyRoutes = {
      route: (callId, tag, sub) => this.#routes.set(key(callId, tag), sub),
      unroute: (callId, tag, sub) => {
        const k = key(callId, tag);
        if (this.#routes.get(k) === sub) this.#routes.delete(k);
      },
      contact: (transport) => {
        const fixed = this.options.localContact;
        if (fixed === undefined) return this.endpoint.contactFor(transport);
        return transport === "udp" ? fixed : `${fixed};transport=${transport}`;
      },
    };
    const sub = new MwiClientSubscription(this.endpoint, routes, options, this.options.logger);
    this.#subs.add(sub);
    void sub.stopped.then(() => this.#subs.delete(sub));
    sub.start();
    return sub;
  }

  get size(): number {
    return this.#subs.size;
  }

  /** Unsubscribes everything (SUBSCRIBE with Expires: 0) and removes the module. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#subs].map((s) => s.stop()));
    this.#off();
    this.#routes.clear();
  }

  #onNotify(req: IncomingRequest): boolean {
    const m = req.message;
    const toTag = parseNameAddr(m.headers.get("to") ?? "")?.tag;
    if (!toTag) return false; // out of any dialog: unsolicited, for another module
    const sub = this.#routes.get(key(m.headers.get("call-id") ?? "", toTag));
    if (!sub) return false; // the dialog registry answers 481
    sub.onNotify(req);
    return true;
  }
}
