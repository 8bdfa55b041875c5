// Routes what the endpoint receives inside a dialog (RFC 3261 §12.2.2) to the usage that owns the
// dialog: requests with a To tag, ACKs for 2xx, and late 2xx retransmissions. A request whose To
// tag names no dialog we know gets 481.

import type { IncomingAck, IncomingRequest, IncomingResponse, SipEndpoint } from "../endpoint.ts";
import { ModulePriority } from "../endpoint.ts";
import { parseNameAddr } from "../message/index.ts";
import { dialogKey } from "./dialog.ts";

export interface DialogUsage {
  onRequest(req: IncomingRequest): void;
  onAck?(ack: IncomingAck): void;
  onLateResponse?(res: IncomingResponse): void;
}

function tagOf(header: string | undefined): string | undefined {
  return header ? parseNameAddr(header)?.tag : undefined;
}

export class DialogRegistry {
  readonly #usages = new Map<string, DialogUsage>();
  readonly #off: () => void;

  constructor(endpoint: SipEndpoint) {
    this.#off = endpoint.addModule({
      name: "dialogs",
      priority: ModulePriority.Dialog,
      onRequest: (req) => this.#onRequest(req),
    });
    endpoint.onAck((ack) => {
      const m = ack.message;
      const key = dialogKey(
        m.headers.get("call-id") ?? "",
        tagOf(m.headers.get("to")) ?? "",
        tagOf(m.headers.get("from")) ?? "",
      );
      this.#usages.get(key)?.onAck?.(ack);
    });
    endpoint.onStrayResponse((res) => {
      const m = res.message;
      const key = dialogKey(
        m.headers.get("call-id") ?? "",
        tagOf(m.headers.get("from")) ?? "",
        tagOf(m.headers.get("to")) ?? "",
      );
      this.#usages.get(key)?.onLateResponse?.(res);
    });
  }

  add(key: string, usage: DialogUsage): () => void {
    this.#usages.set(key, usage);
    return () => {
      if (this.#usages.get(key) === usage) this.#usages.delete(key);
    };
  }

  get size(): number {
    return this.#usages.size;
  }

  close(): void {
    this.#off();
    this.#usages.clear();
  }

  #onRequest(req: IncomingRequest): boolean {
    const m = req.message;
    const localTag = tagOf(m.headers.get("to"));
    if (!localTag) return false; // not in a dialog: for the usages that create dialogs
    const key = dialogKey(
      m.headers.get("call-id") ?? "",
      localTag,
      tagOf(m.headers.get("from")) ?? "",
    );
    const usage = this.#usages.get(key);
    if (!usage) {
      req.transaction.respond(481, "Call/Transaction Does Not Exist");
      return true;
    }
    usage.onRequest(req);
    return true;
  }
}
