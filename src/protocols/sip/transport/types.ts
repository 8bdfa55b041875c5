// The interface every SIP transport offers the layers above it (RFC 3261 §18): send bytes to an
// address, hand complete received messages up with their source, report what was dropped.

import type { HostPort } from "../../../core/host-port.ts";
import { SipError } from "../errors.ts";

export type TransportKind = "udp" | "tcp" | "tls";

/** Where a message came from: the address of the datagram or of the TCP connection's peer. */
export interface MessageSource extends HostPort {
  transport: TransportKind;
}

export type MessageHandler = (buf: Buffer, source: MessageSource) => void;
/** Bytes that never became a message: a framing error, an oversized datagram, a refused peer. */
export type DropHandler = (reason: string, source: MessageSource) => void;
/** A connection refused or cut by a connection limit (stream transports). */
export type ConnectionLimit = "total" | "per-source" | "message-timeout";

export interface Transport {
  readonly kind: TransportKind;
  /** Reliable transports (TCP, TLS) switch off retransmission timers (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  /** The bound address; valid after `listen()` resolved. */
  readonly local: HostPort;
  onMessage: MessageHandler | undefined;
  onDrop: DropHandler | undefined;
  /** Stream transports: told of each connection a limit refused or cut. */
  onLimit?: ((limit: ConnectionLimit, source: MessageSource) => void) | undefined;
  /** Stream transports: open connections now. */
  readonly connectionCount?: number;
  /** Binds the configured port, or `port` when given (the endpoint's common-port search). */
  listen(port?: number): Promise<HostPort>;
  /** Rejects with SipTransportError; never throws synchronously. */
  send(buf: Buffer, dest: HostPort): Promise<void>;
  /** For connection-oriented transports: whether a connection to `dest` is open now. */
  isConnected(dest: HostPort): boolean;
  close(): Promise<void>;
}

/** A send or connect that failed: for the request's sender a 503 (RFC 3261 §8.1.3.1). */
export class SipTransportError extends SipError {
  constructor(
    message: string,
    readonly dest?: HostPort,
    options?: { cause?: unknown },
  ) {
    super(503, "Service Unavailable", message, options);
  }
}

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; SIP wants a.b.c.d. */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
