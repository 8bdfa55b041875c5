// Iq request/response (RFC 6120 §8.2.3): sends a get/set with a fresh id and resolves with the
// matching result, rejects with a StanzaError for type="error" or XmppTimeoutError.

import { randomUUID } from "node:crypto";
import type { ComponentConnection } from "./component.ts";
import { StanzaError, XmppTimeoutError } from "./errors.ts";
import { bareJid } from "./jid.ts";
import { localName, type XmlElement, xml } from "./xml.ts";

interface Pending {
  to: string;
  resolve: (stanza: XmlElement) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function sameEntity(a: string, b: string): boolean {
  try {
    return bareJid(a) === bareJid(b) && (a.includes("/") ? a === b : true);
  } catch {
    return a === b;
  }
}

export class IqCaller {
  readonly #connection: ComponentConnection;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();

  constructor(connection: ComponentConnection, timeoutMs = 30_000) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
    connection.on("stanza", (stanza) => this.#onStanza(stanza));
    connection.on("disconnect", () => {
      for (const [id, p] of this.#pending)
        this.#finish(id, p, new Error("disconnected before the iq was answered"));
    });
  }

  /**
   * Sends `<iq type=get|set to=…>` with the given payload and resolves with the result stanza.
   * Throws NotConnectedError (synchronously, as a rejection) when offline.
   */
  async request(
    type: "get" | "set",
    to: string,
    payload: XmlElement | undefined,
    timeoutMs = this.#timeoutMs,
  ): Promise<XmlElement> {
    const id = randomUUID();
    const iq = xml("iq", { type, to, id }, payload);
    const answer = new Promise<XmlElement>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.#pending.get(id);
        if (p)
          this.#finish(
            id,
            p,
            new XmppTimeoutError(`no answer to iq ${type} to ${to} in ${timeoutMs} ms`),
          );
      }, timeoutMs);
      this.#pending.set(id, { to, resolve, reject, timer });
    });
    try {
      await this.#connection.send(iq);
    } catch (err) {
      const p = this.#pending.get(id);
      if (p) this.#finish(id, p, err as Error);
    }
    return answer;
  }

  get(to: string, payload?: XmlElement, timeoutMs?: number): Promise<XmlElement> {
    return this.request("get", to, payload, timeoutMs);
  }

  set(to: string, payload?: XmlElement, timeoutMs?: number): Promise<XmlElement> {
    return this.request("set", to, payload, timeoutMs);
  }

  #onStanza(stanza: XmlElement): void {
    if (localName(stanza) !== "iq") return;
    const { id, type, from } = stanza.attrs;
    if (!id || (type !== "result" && type !== "error")) return;
    const p = this.#pending.get(id);
    // an answer must come from the entity asked (RFC 6120 §8.1.2.1), else it is ignored
    if (!p || (from !== undefined && !sameEntity(from, p.to))) return;
    this.#finish(id, p, type === "error" ? StanzaError.fromStanza(stanza) : stanza);
  }

  #finish(id: string, p: Pending, outcome: XmlElement | Error): void {
    clearTimeout(p.timer);
    this.#pending.delete(id);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }
}

export function iqCaller(connection: ComponentConnection, timeoutMs?: number): IqCaller {
  return new IqCaller(connection, timeoutMs);
}
