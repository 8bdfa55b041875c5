// The endpoint's receive path (RFC 3261 §18.2.1, §17.2.3, §9.2, §8.2): parse or reject, stamp the
// Via, hand retransmissions to their transaction, answer CANCEL, and offer new requests to the
// modules in priority order, answering OPTIONS / 501 when none takes them. Never throws.

import type { Logger } from "pino";
import { allowList, DEFAULT_ACCEPT, parseFailureResponse } from "./endpoint-defaults.ts";
import type {
  EndpointStats,
  IncomingAck,
  IncomingRequest,
  IncomingResponse,
  SipModule,
} from "./endpoint-types.ts";
import { stampVia, viaDestination } from "./endpoint-via.ts";
import {
  buildResponse,
  type ParseFailure,
  type ParseLimits,
  parseMessage,
  parseNameAddr,
  type SipRequest,
  type SipResponse,
  serializeMessage,
  type Via,
} from "./message/index.ts";
import type { SourceLimiter } from "./source-limits.ts";
import { InviteServerState, InviteServerTransaction } from "./transaction/invite-server.ts";
import { clientKeyForResponse, inviteKeyFor, serverKey } from "./transaction/keys.ts";
import { reasonPhrase } from "./transaction/reasons.ts";
import type { ServerTransactionBase } from "./transaction/server-base.ts";
import type { TransactionTable } from "./transaction/table.ts";
import type { MessageSource, Transport } from "./transport/types.ts";

export interface IncomingDeps {
  table: TransactionTable;
  stats: EndpointStats;
  parseLimits: Partial<ParseLimits>;
  /** Server transactions at most (the table less the room kept for our client transactions). */
  serverRoom: number;
  retryAfter: number;
  limiter?: SourceLimiter;
  agentHost: () => string;
  userAgent?: string;
  logger?: Logger;
  modules: () => readonly SipModule[];
  ackHandlers: ReadonlyArray<(ack: IncomingAck) => void>;
  strayHandlers: ReadonlyArray<(res: IncomingResponse) => void>;
  createServer: (
    key: string,
    req: SipRequest,
    via: Via,
    source: MessageSource,
    transport: Transport,
    sourceKey: string | undefined,
  ) => ServerTransactionBase<string>;
  /** Set while a response is handed to its client transaction, so late 2xx keep their source. */
  setResponseSource: (source: MessageSource | undefined) => void;
  /** True once the endpoint drains: new sessions are refused, dialogs under way go on. */
  draining: () => boolean;
}

/** Methods counted under their own name; anything else is "other" (bounded metric labels). */
const COUNTED_METHODS = new Set([
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "REGISTER",
  "OPTIONS",
  "SUBSCRIBE",
  "NOTIFY",
  "PUBLISH",
  "MESSAGE",
  "INFO",
  "UPDATE",
  "REFER",
  "PRACK",
]);

/** Counts a serialized response under its status class. */
export function countResponse(stats: EndpointStats, buf: Buffer): void {
  // "SIP/2.0 NNN": the class digit is byte 8.
  const digit = buf[8];
  if (digit === undefined || digit < 0x31 || digit > 0x36) return;
  const cls = `${String.fromCharCode(digit)}xx`;
  stats.responses[cls] = (stats.responses[cls] ?? 0) + 1;
}

export class IncomingPath {
  readonly #d: IncomingDeps;

  constructor(deps: IncomingDeps) {
    this.#d = deps;
  }

  receive(buf: Buffer, source: MessageSource, transport: Transport): void {
    const d = this.#d;
    d.stats.received++;
    try {
      const parsed = parseMessage(buf, {
        ...d.parseLimits,
        requireContentLength: transport.reliable,
      });
      if (!parsed.ok) {
        this.#reject(parsed, source, transport);
        return;
      }
      if (parsed.message.kind === "response") this.#response(parsed.message, source);
      else this.#request(parsed.message, source, transport);
    } catch (err) {
      // A TU handler bug must not take the listener down with it.
      d.logger?.error({ err: String(err), peer: source }, "sip receive path failed");
    }
  }

  #reject(failure: ParseFailure, source: MessageSource, transport: Transport): void {
    const d = this.#d;
    const via =
      failure.canRespond && failure.partial ? stampVia(failure.partial.headers, source) : null;
    const response = parseFailureResponse(failure, d.agentHost(), d.userAgent);
    d.logger?.debug(
      { peer: source, error: failure.error, answered: response !== null },
      "sip message refused",
    );
    if (response === null || via === null) {
      d.stats.dropped++;
      return;
    }
    d.stats.rejected++;
    const dest = transport.isConnected(source) ? source : viaDestination(via, transport.reliable);
    this.#sendStateless(response, dest, transport);
  }

  #sendStateless(
    res: SipResponse,
    dest: { host: string; port: number },
    transport: Transport,
  ): void {
    let buf: Buffer;
    try {
      buf = serializeMessage(res);
    } catch (err) {
      this.#d.logger?.warn({ err: String(err) }, "sip stateless response not serializable");
      return;
    }
    countResponse(this.#d.stats, buf);
    transport
      .send(buf, dest)
      .catch((err: unknown) =>
        this.#d.logger?.debug({ err: String(err) }, "sip stateless send failed"),
      );
  }

  #response(res: SipResponse, source: MessageSource): void {
    const d = this.#d;
    const key = clientKeyForResponse(res);
    const tx = key === null ? undefined : d.table.client(key);
    if (tx) {
      d.setResponseSource(source);
      try {
        tx.receive(res);
      } finally {
        d.setResponseSource(undefined);
      }
      return;
    }
    d.stats.strayResponses++;
    for (const handler of d.strayHandlers) handler({ message: res, source });
  }

  #request(req: SipRequest, source: MessageSource, transport: Transport): void {
    const d = this.#d;
    const counted = COUNTED_METHODS.has(req.method) ? req.method : "other";
    d.stats.requests[counted] = (d.stats.requests[counted] ?? 0) + 1;
    const via = stampVia(req.headers, source);
    const key = serverKey(req);
    if (via === null || key === null) {
      d.stats.dropped++; // the parser validated the Via; kept for type narrowing
      return;
    }
    const existing = d.table.server(key);
    if (req.method === "ACK") {
      // An ACK for a non-2xx belongs to its INVITE transaction; any other goes to the dialogs.
      if (existing && existing.state !== InviteServerState.Accepted) existing.receive(req);
      else for (const handler of d.ackHandlers) handler({ message: req, source });
      return;
    }
    if (existing) {
      existing.receive(req);
      return;
    }
    const reply503 = () => {
      const res = this.#statelessResponse(req, 503, [["Retry-After", String(d.retryAfter)]]);
      this.#sendStateless(
        res,
        transport.isConnected(source) ? source : viaDestination(via, transport.reliable),
        transport,
      );
    };
    // Draining (a node stopping): a request outside any dialog — a call, a REGISTER, an OPTIONS
    // ping — is told to go elsewhere (RFC 3261 §21.5.4: 503 with Retry-After moves a proxy or a
    // phone to another server); requests in dialogs under way, and CANCELs, still get through.
    if (d.draining() && req.method !== "CANCEL" && !hasToTag(req)) {
      reply503();
      return;
    }
    const limiter = d.limiter;
    const sourceKey = limiter?.keyOf(source.host);
    if (limiter && sourceKey !== undefined) {
      const cap = limiter.transactionCap(d.serverRoom);
      const admission = limiter.admit(source.host, req.method, d.table.serversFrom(sourceKey), cap);
      if (admission.verdict !== "admit") {
        d.stats.throttled[admission.reason]++;
        if (admission.verdict === "reject") reply503();
        return;
      }
    }
    if (d.table.liveServerCount >= d.serverRoom) {
      d.stats.overloaded++;
      reply503();
      return;
    }
    const tx = d.createServer(key, req, via, source, transport, sourceKey);
    if (req.method === "CANCEL") {
      this.#cancel(req, tx);
      return;
    }
    this.#dispatch({ message: req, source, transaction: tx });
  }

  #statelessResponse(
    req: SipRequest,
    status: number,
    headers: Array<[string, string]>,
  ): SipResponse {
    const d = this.#d;
    const all: Array<[string, string]> = d.userAgent
      ? [["Server", d.userAgent], ...headers]
      : headers;
    return buildResponse(req, status, reasonPhrase(status), { headers: all });
  }

  /** §9.2: 200 for a CANCEL that matches a live INVITE, which the TU then ends with 487. */
  #cancel(cancel: SipRequest, tx: ServerTransactionBase<string>): void {
    const inviteKey = inviteKeyFor(cancel);
    const invite = inviteKey === null ? undefined : this.#d.table.server(inviteKey);
    if (!(invite instanceof InviteServerTransaction)) {
      tx.respond(481);
      return;
    }
    tx.respond(200, undefined, { toTag: invite.toTag });
    if (invite.state === InviteServerState.Proceeding) invite.cancel(cancel);
  }

  #dispatch(incoming: IncomingRequest): void {
    const d = this.#d;
    const method = incoming.message.method;
    const modules = d.modules();
    for (const mod of modules) {
      if (mod.methods && !mod.methods.includes(method)) continue;
      let taken = false;
      try {
        taken = mod.onRequest(incoming);
      } catch (err) {
        d.logger?.error({ module: mod.name, method, err: String(err) }, "sip module threw");
        // Ignored by the transaction if the module had already sent its final response.
        incoming.transaction.respond(500);
        return;
      }
      if (taken) return;
    }
    const allow = allowList(modules.flatMap((m) => m.methods ?? []));
    if (method === "OPTIONS") {
      incoming.transaction.respond(200, undefined, {
        headers: [
          ["Allow", allow],
          ["Accept", DEFAULT_ACCEPT],
        ],
      });
    } else {
      incoming.transaction.respond(501, undefined, { headers: [["Allow", allow]] });
    }
  }
}

function hasToTag(req: SipRequest): boolean {
  return parseNameAddr(req.headers.get("to") ?? "")?.tag !== undefined;
}
