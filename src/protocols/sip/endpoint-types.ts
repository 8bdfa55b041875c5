// The types the SIP endpoint shares with the layers above it (pjsip's pjsip_module and rx_data,
// RFC 3261 §8): incoming requests, ACKs and stray responses, modules, destinations, limits.

import type { Logger } from "pino";
import type { HostPort } from "../../core/host-port.ts";
import type { ParseLimits, SipRequest, SipResponse } from "./message/index.ts";
import type { SourceLimitOptions } from "./source-limits.ts";
import type { ServerTransaction } from "./transaction/server-base.ts";
import type { Scheduler, TimerConfig } from "./transaction/timers.ts";
import type { MessageSource, Transport, TransportKind } from "./transport/types.ts";

export interface IncomingRequest {
  message: SipRequest;
  source: MessageSource;
  transaction: ServerTransaction;
}

/** An ACK outside any server transaction: for a 2xx (§13.3.1.4, §17) or a stray one. */
export interface IncomingAck {
  message: SipRequest;
  source: MessageSource;
}

/** A response no client transaction claimed, or a late 2xx to an INVITE (RFC 6026 §7.2). */
export interface IncomingResponse {
  message: SipResponse;
  source: MessageSource;
}

/** Lower numbers see requests first, as in pjsip (transaction < dialog < usage < application). */
export const ModulePriority = Object.freeze({
  Dialog: 32,
  Usage: 48,
  Application: 64,
});

export interface SipModule {
  name: string;
  priority: number;
  /** Methods this module handles; listed in Allow. Absent: it sees every method. */
  methods?: readonly string[];
  /** Return true when the request was taken (the module then answers it, now or later). */
  onRequest(req: IncomingRequest): boolean;
}

export interface Destination extends HostPort {
  transport: TransportKind;
}

export interface EndpointLimits
  extends Partial<Pick<ParseLimits, "maxMessageBytes" | "maxHeaders" | "maxHeaderLineBytes">> {
  /**
   * Transactions at work (client ones, and server ones not yet answered); beyond it requests get
   * 503 (default 10 000).
   */
  maxTransactions?: number;
  /**
   * Answered server transactions kept to absorb retransmissions (default twice
   * maxTransactions); past it the oldest is ended early (transaction/table.ts).
   */
  maxAnswered?: number;
  /**
   * Share of maxTransactions kept for our own client transactions (default 0.2): inbound
   * requests get 503 once the server transactions fill the rest, so a flood never stops ours.
   */
  clientReserve?: number;
  /** Seconds in the Retry-After of that 503 (default 5). */
  retryAfter?: number;
  /** Per-source rate and transaction limits (source-limits.ts); none when absent. */
  perSource?: SourceLimitOptions;
  tcpMaxConnections?: number;
  /** Inbound stream connections one source address may hold (default 0 = no cap). */
  tcpMaxConnectionsPerSource?: number;
  tcpIdleTimeoutMs?: number;
  /** An inbound connection must deliver a complete message this soon, and every later one as fast. */
  tcpMessageTimeoutMs?: number;
}

/** The TLS listener: where it binds and its certificate (PEM). */
export interface TlsListenOptions extends HostPort {
  cert: string | Buffer;
  key: string | Buffer;
  /** Trust anchors for connections we open; default Node's CA list. */
  ca?: string | Buffer;
  /** Verify the certificate of a peer we connect to; default true. */
  rejectUnauthorized?: boolean;
}

export interface SipEndpointOptions {
  udp?: HostPort;
  tcp?: HostPort;
  tls?: TlsListenOptions;
  /** Further transports, e.g. a LoopTransport in tests; one per kind at most. */
  transports?: Transport[];
  /** The host put in our Via sent-by and Warning headers; default the bound address. */
  advertise?: string;
  timers?: Partial<TimerConfig>;
  scheduler?: Scheduler;
  limits?: EndpointLimits;
  logger?: Logger;
  /** Sent as Server on responses and User-Agent on requests that have none. */
  userAgent?: string;
}

export interface EndpointStats {
  /** Messages handed up by the transports. */
  received: number;
  /** Unparsable or unanswerable input, dropped without a response. */
  dropped: number;
  /** Unparsable requests answered with 400/505/513. */
  rejected: number;
  /** Responses that matched no client transaction. */
  strayResponses: number;
  /** Requests refused with 503 because the transaction table was full. */
  overloaded: number;
  /** Requests received, by method (unknown methods as "other"), retransmissions included. */
  requests: Record<string, number>;
  /** Responses sent, by status class ("1xx" … "6xx"), retransmissions included. */
  responses: Record<string, number>;
  /** New requests refused (503) or dropped by the per-source limits, by reason. */
  throttled: Record<"rate" | "transactions" | "banned", number>;
  /** Stream connections refused or cut by a connection limit, by reason. */
  connectionsRefused: Record<"total" | "per-source" | "message-timeout", number>;
}

export interface SendHandlers {
  onProvisional?(res: SipResponse): void;
}
