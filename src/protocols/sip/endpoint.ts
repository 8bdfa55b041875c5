// The SIP endpoint (pjsip's sip_endpoint, RFC 3261 §8, §17, §18): owns the transports and the
// transaction table, hosts the modules that handle requests, and sends requests, ACKs for 2xx and
// stateless messages. Dialogs and usages sit on top of it.

import { networkInterfaces } from "node:os";
import type { Logger } from "pino";
import type { HostPort } from "../../core/host-port.ts";
import { type BoundAddresses, bindCommonPort } from "./endpoint-bind.ts";
import { type ContactOptions, contactUri, wantsSips } from "./endpoint-contact.ts";
import { countResponse, IncomingPath } from "./endpoint-incoming.ts";
import { newBranch, newTag } from "./endpoint-request.ts";
import {
  type Destination,
  type EndpointStats,
  type IncomingAck,
  type IncomingRequest,
  type IncomingResponse,
  ModulePriority,
  type SendHandlers,
  type SipEndpointOptions,
  type SipModule,
} from "./endpoint-types.ts";
import { ourVia, responseDestination } from "./endpoint-via.ts";
import {
  parseVia,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serializeMessage,
  type Via,
} from "./message/index.ts";
import { SourceLimiter } from "./source-limits.ts";
import type { TransactionChannel } from "./transaction/base.ts";
import type { ClientTransaction } from "./transaction/client-types.ts";
import { InviteClientTransaction } from "./transaction/invite-client.ts";
import { InviteServerTransaction } from "./transaction/invite-server.ts";
import { clientKey } from "./transaction/keys.ts";
import { NonInviteClientTransaction } from "./transaction/non-invite-client.ts";
import { NonInviteServerTransaction } from "./transaction/non-invite-server.ts";
import type { ServerContext, ServerTransactionBase } from "./transaction/server-base.ts";
import { TransactionTable } from "./transaction/table.ts";
import { realScheduler, resolveTimers } from "./transaction/timers.ts";
import { TcpTransport } from "./transport/tcp.ts";
import { TlsTransport } from "./transport/tls.ts";
import {
  type MessageSource,
  SipTransportError,
  type Transport,
  type TransportKind,
} from "./transport/types.ts";
import { UdpTransport } from "./transport/udp.ts";

export class SipEndpoint {
  readonly #options: SipEndpointOptions;
  readonly #ctx: ServerContext;
  readonly #table: TransactionTable;
  readonly #transports = new Map<TransportKind, Transport>();
  readonly #modules: SipModule[] = [];
  readonly #ackHandlers: Array<(ack: IncomingAck) => void> = [];
  readonly #strayHandlers: Array<(res: IncomingResponse) => void> = [];
  readonly #stats: EndpointStats = {
    received: 0,
    dropped: 0,
    rejected: 0,
    strayResponses: 0,
    overloaded: 0,
    requests: {},
    responses: {},
    throttled: { rate: 0, transactions: 0, banned: 0 },
    connectionsRefused: { total: 0, "per-source": 0, "message-timeout": 0 },
  };
  readonly #limiter: SourceLimiter | undefined;
  readonly #incoming: IncomingPath;
  #draining = false;
  readonly #logger: Logger | undefined;
  #responseSource: MessageSource | undefined;
  #started = false;

  constructor(options: SipEndpointOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#ctx = {
      timers: resolveTimers(options.timers),
      scheduler: options.scheduler ?? realScheduler,
      newTag,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    };
    const limits = options.limits ?? {};
    const maxTransactions = limits.maxTransactions ?? 10_000;
    this.#table = new TransactionTable(limits.maxAnswered ?? 2 * maxTransactions);
    const reserve = Math.ceil(maxTransactions * (limits.clientReserve ?? 0.2));
    if (limits.perSource) {
      const limiter = new SourceLimiter(limits.perSource);
      // One line per source and flood, for fail2ban (docs/security.md "SIP limits").
      limiter.onFloodStart = (e) =>
        this.#logger?.warn(
          { source: e.source, reason: e.reason, method: e.method },
          e.reason === "banned" ? "sip source banned" : "sip source throttled",
        );
      this.#limiter = limiter;
    }
    this.#incoming = new IncomingPath({
      table: this.#table,
      stats: this.#stats,
      parseLimits: {
        ...(limits.maxMessageBytes ? { maxMessageBytes: limits.maxMessageBytes } : {}),
        ...(limits.maxHeaders ? { maxHeaders: limits.maxHeaders } : {}),
        ...(limits.maxHeaderLineBytes ? { maxHeaderLineBytes: limits.maxHeaderLineBytes } : {}),
      },
      serverRoom: Math.max(1, maxTransactions - reserve),
      retryAfter: limits.retryAfter ?? 5,
      ...(this.#limiter ? { limiter: this.#limiter } : {}),
      agentHost: () => this.#agentHost(),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      modules: () => this.#modules,
      ackHandlers: this.#ackHandlers,
      strayHandlers: this.#strayHandlers,
      createServer: (key, req, via, source, transport, sourceKey) =>
        this.#createServer(key, req, via, source, transport, sourceKey),
      setResponseSource: (source) => {
        this.#responseSource = source;
      },
      draining: () => this.#draining,
    });
  }

  /**
   * Binds every configured transport; resolves with the addresses actually bound. UDP and TCP
   * asked for the same port 0 get one common port (a phone may try either on the number it knows).
   */
  async start(): Promise<BoundAddresses> {
    if (this.#started) throw new Error("SipEndpoint already started");
    const o = this.#options;
    const limits = o.limits ?? {};
    const wanted: Transport[] = [...(o.transports ?? [])];
    const common = {
      ...(o.logger ? { logger: o.logger } : {}),
      ...(limits.maxMessageBytes ? { maxMessageBytes: limits.maxMessageBytes } : {}),
    };
    const stream = {
      ...common,
      ...(limits.tcpMaxConnections ? { maxConnections: limits.tcpMaxConnections } : {}),
      ...(limits.tcpIdleTimeoutMs ? { idleTimeoutMs: limits.tcpIdleTimeoutMs } : {}),
      ...(limits.tcpMaxConnectionsPerSource
        ? { maxConnectionsPerSource: limits.tcpMaxConnectionsPerSource }
        : {}),
      ...(limits.tcpMessageTimeoutMs ? { messageTimeoutMs: limits.tcpMessageTimeoutMs } : {}),
      isExempt: (host: string) => this.#limiter?.isExempt(host) ?? false,
      ...(limits.maxHeaderLineBytes ? { maxHeaderLineBytes: limits.maxHeaderLineBytes } : {}),
    };
    if (o.udp) wanted.push(new UdpTransport({ ...o.udp, ...common }));
    if (o.tcp) wanted.push(new TcpTransport({ ...o.tcp, ...stream }));
    if (o.tls) wanted.push(new TlsTransport({ ...o.tls, ...stream }));
    if (wanted.length === 0)
      throw new TypeError("SipEndpoint needs at least one of udp, tcp, tls or transports");
    for (const t of wanted) {
      if (this.#transports.has(t.kind))
        throw new TypeError(`SipEndpoint got two ${t.kind} transports`);
      this.#transports.set(t.kind, t);
    }
    const bound: BoundAddresses = {};
    try {
      for (const t of wanted) {
        t.onMessage = (buf, source) => this.#incoming.receive(buf, source, t);
        t.onDrop = (reason, source) => {
          this.#stats.dropped++;
          this.#logger?.debug({ peer: source, reason }, "sip input dropped by transport");
        };
        t.onLimit = (limit) => {
          this.#stats.connectionsRefused[limit]++;
        };
      }
      const udp = this.#transports.get("udp");
      const tcp = this.#transports.get("tcp");
      const paired =
        udp !== undefined &&
        tcp !== undefined &&
        o.udp?.port === 0 &&
        o.tcp?.port === 0 &&
        o.udp.host === o.tcp.host;
      if (paired) Object.assign(bound, await bindCommonPort(udp, tcp));
      for (const t of wanted)
        if (!(paired && (t === udp || t === tcp))) bound[t.kind] = await t.listen();
    } catch (err) {
      await this.#closeTransports();
      throw err;
    }
    this.#started = true;
    this.#logger?.info({ ...bound }, "sip endpoint listening");
    return bound;
  }

  /** Ends all transactions (pending sendRequest calls reject) and closes the transports. */
  /**
   * Stops taking new sessions before a stop: requests outside any dialog (INVITE, REGISTER,
   * SUBSCRIBE, OPTIONS) get 503 with Retry-After, so a proxy's OPTIONS pings mark this node down
   * and phones and callers go to another one, while the dialogs under way finish here.
   */
  drain(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  async stop(): Promise<void> {
    this.#table.terminateAll("endpoint stopped");
    await this.#closeTransports();
    this.#started = false;
  }

  async #closeTransports(): Promise<void> {
    const all = [...this.#transports.values()];
    this.#transports.clear();
    await Promise.allSettled(all.map((t) => t.close()));
  }

  get stats(): Readonly<EndpointStats> {
    return this.#stats;
  }

  get transactionCount(): number {
    return this.#table.size;
  }

  /** Sources flooding now or banned by the per-source limits (0 without them). */
  get throttledSources(): number {
    return this.#limiter?.throttledSources() ?? 0;
  }

  /** Whether `host` is exempt from the per-source limits (`sip.trustedProxies`, `sip.limits.exempt`). */
  exemptFromLimits(host: string): boolean {
    return this.#limiter?.isExempt(host) ?? false;
  }

  /** Open stream connections per transport (tcp, tls), for metrics. */
  connectionCounts(): Partial<Record<TransportKind, number>> {
    const counts: Partial<Record<TransportKind, number>> = {};
    for (const [kind, t] of this.#transports)
      if (t.connectionCount !== undefined) counts[kind] = t.connectionCount;
    return counts;
  }

  /** The sent-by this endpoint advertises on a transport (for Contact and Via), if it has one. */
  localAddress(kind: TransportKind): HostPort | undefined {
    const t = this.#transports.get(kind);
    return t ? { host: this.#agentHost(t), port: t.local.port } : undefined;
  }

  /**
   * Our Contact URI for requests and dialogs on `transport` (RFC 3261 §8.1.1.8): the advertised
   * host, that transport's listening port and `;transport=` (or sips: with `secure` over TLS).
   * Falls back to the first transport when `transport` is not running.
   */
  contactFor(transport: TransportKind, options: ContactOptions = {}): string {
    const t = this.#transports.get(transport) ?? this.#transports.values().next().value;
    if (!t) throw new SipTransportError("the SIP endpoint has no transport");
    return contactUri(t.kind, this.#sentBy(t), options);
  }

  /** The Contact for answering `req` (a dialog-creating request): its transport, sips: as §12.1.1 asks. */
  contactForRequest(req: IncomingRequest, user?: string): string {
    const secure = req.source.transport === "tls" && wantsSips(req.message);
    return this.contactFor(req.source.transport, { secure, ...(user ? { user } : {}) });
  }

  /** Whether a stream connection to `dest` is open now (a registered phone's flow, RFC 5626). */
  isConnected(dest: Destination): boolean {
    return this.#transports.get(dest.transport)?.isConnected(dest) ?? false;
  }

  /** Registers a module; returns a function that removes it. */
  addModule(mod: SipModule): () => void {
    this.#modules.push(mod);
    this.#modules.sort((a, b) => a.priority - b.priority);
    return () => {
      const at = this.#modules.indexOf(mod);
      if (at >= 0) this.#modules.splice(at, 1);
    };
  }

  /**
   * An application-priority module in one call. The handler takes the request unless it returns
   * false; `methods` limits what it sees (and is what the Allow header lists).
   */
  onRequest(
    handler: (req: IncomingRequest) => unknown,
    options: { methods?: string[] } = {},
  ): () => void {
    return this.addModule({
      name: "application",
      priority: ModulePriority.Application,
      ...(options.methods ? { methods: options.methods } : {}),
      onRequest: (req) => handler(req) !== false,
    });
  }

  onAck(handler: (ack: IncomingAck) => void): void {
    this.#ackHandlers.push(handler);
  }

  onStrayResponse(handler: (res: IncomingResponse) => void): void {
    this.#strayHandlers.push(handler);
  }

  /**
   * Sends a request in a new client transaction. Adds our top Via (fresh branch, rport) unless
   * it is a CANCEL that already carries its INVITE's Via; adds Max-Forwards 70 when absent.
   * Resolves with the final response; rejects with SipTimeoutError or SipTransportError.
   */
  sendRequest(
    req: SipRequest,
    dest: Destination,
    handlers: SendHandlers = {},
  ): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      if (req.method === "ACK") throw new TypeError("an ACK has no transaction: use sendAck()");
      const transport = this.#transportFor(dest);
      const keepVia = req.method === "CANCEL" && req.headers.has("via");
      let branch: string;
      if (keepVia) {
        const via = parseVia(req.headers.get("via") ?? "");
        if (via?.branch === undefined) throw new TypeError("the CANCEL's Via has no branch");
        branch = via.branch;
      } else {
        branch = newBranch();
        req.headers.prepend("Via", ourVia(transport.kind, this.#sentBy(transport), branch));
      }
      this.#completeHeaders(req);
      if (this.#table.liveCount >= (this.#options.limits?.maxTransactions ?? 10_000)) {
        throw new SipTransportError("too many transactions in progress", dest);
      }
      const channel: TransactionChannel = {
        reliable: transport.reliable,
        send: (buf) => transport.send(buf, dest),
      };
      const key = clientKey(branch, req.method);
      if (this.#table.client(key))
        throw new TypeError(`a ${req.method} with branch ${branch} is already in progress`);
      const tu = {
        onProvisional: (res: SipResponse) => handlers.onProvisional?.(res),
        onFinal: resolve,
        onError: reject,
        onLate2xx: (res: SipResponse) => {
          const source = this.#responseSource ?? { ...dest };
          for (const handler of this.#strayHandlers) handler({ message: res, source });
        },
      };
      const tx: ClientTransaction =
        req.method === "INVITE"
          ? new InviteClientTransaction(key, req, channel, this.#ctx, tu)
          : new NonInviteClientTransaction(key, req, channel, this.#ctx, tu);
      this.#table.addClient(tx);
      tx.start();
    });
  }

  /** Sends an ACK for a 2xx outside any transaction (§13.2.2.4); a Via is added if it has none. */
  async sendAck(ack: SipRequest, dest: Destination): Promise<void> {
    const transport = this.#transportFor(dest);
    if (!ack.headers.has("via"))
      ack.headers.prepend("Via", ourVia(transport.kind, this.#sentBy(transport), newBranch()));
    this.#completeHeaders(ack);
    await transport.send(serializeMessage(ack), dest);
  }

  /** Sends a message as it is, outside any transaction (§8.2.7, §16.11). */
  async sendStateless(msg: SipMessage, dest: Destination): Promise<void> {
    const buf = serializeMessage(msg);
    if (msg.kind === "response") countResponse(this.#stats, buf);
    await this.#transportFor(dest).send(buf, dest);
  }

  #completeHeaders(req: SipRequest): void {
    if (!req.headers.has("max-forwards")) req.headers.add("Max-Forwards", "70");
    if (this.#options.userAgent && !req.headers.has("user-agent"))
      req.headers.add("User-Agent", this.#options.userAgent);
  }

  #transportFor(dest: Destination): Transport {
    const t = this.#transports.get(dest.transport);
    if (!t) throw new SipTransportError(`no ${dest.transport} transport is running`, dest);
    return t;
  }

  #createServer(
    key: string,
    req: SipRequest,
    via: Via,
    source: MessageSource,
    transport: Transport,
    sourceKey: string | undefined,
  ): ServerTransactionBase<string> {
    const channel: TransactionChannel = {
      reliable: transport.reliable,
      send: (buf) => {
        countResponse(this.#stats, buf);
        return transport.send(
          buf,
          responseDestination(via, source, (d) => transport.isConnected(d)),
        );
      },
    };
    const tx =
      req.method === "INVITE"
        ? new InviteServerTransaction(key, req, channel, this.#ctx)
        : new NonInviteServerTransaction(key, req, channel, this.#ctx);
    this.#table.addServer(tx, sourceKey);
    tx.start();
    return tx;
  }

  #sentBy(transport: Transport): HostPort {
    return { host: this.#agentHost(transport), port: transport.local.port };
  }

  #agentHost(transport?: Transport): string {
    if (this.#options.advertise) return this.#options.advertise;
    const host = (transport ?? this.#transports.values().next().value)?.local.host ?? "127.0.0.1";
    return host === "0.0.0.0" || host === "::" ? firstExternalAddress() : host;
  }
}

function firstExternalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

export { type BoundAddresses, bindCommonPort } from "./endpoint-bind.ts";
// The endpoint's public face in one import for the dialog and usage layers.
export {
  createCancel,
  createRequest,
  newBranch,
  newCallId,
  newTag,
  type RequestParts,
} from "./endpoint-request.ts";
export * from "./endpoint-types.ts";
export { SipTimeoutError } from "./transaction/base.ts";
export type { RespondOptions, ServerTransaction } from "./transaction/server-base.ts";
export { SipTransportError } from "./transport/types.ts";
