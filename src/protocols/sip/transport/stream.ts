// SIP over a stream (RFC 3261 §18.3), shared by TCP and TLS (§26.3.1): a listener plus outbound
// connections, all kept in one map keyed by the peer's address so a response or a later request
// reuses the connection (§18.2.2, RFC 5626 §4.5 flow reuse). Each connection cuts its stream with
// SipStreamFramer; a framing error closes that connection. TCP and TLS differ only in how a
// server is made and how a socket connects, which they pass in as a StreamSockets.

import type { Server, Socket } from "node:net";
import type { Logger } from "pino";
import { formatHostPort, type HostPort } from "../../../core/host-port.ts";
import { sourceKey } from "../../../core/source-address.ts";
import { SipStreamFramer } from "../message/index.ts";
import {
  type ConnectionLimit,
  type DropHandler,
  type MessageHandler,
  type MessageSource,
  normalizeAddress,
  SipTransportError,
  type Transport,
} from "./types.ts";

export interface StreamTransportOptions {
  host: string;
  port: number;
  /** Inbound and outbound together (default 1024); further peers are refused. */
  maxConnections?: number;
  /** Inbound connections one source address (an IPv6 /64) may hold; default 0 = no cap. */
  maxConnectionsPerSource?: number;
  /** Sources the per-source cap does not apply to (trusted proxies). */
  isExempt?: (host: string) => boolean;
  /** A connection with no traffic for this long is closed (default 5 minutes). */
  idleTimeoutMs?: number;
  /**
   * An inbound connection that has not sent a complete message this long after it opened, or
   * that leaves a message unfinished this long, is closed (a slowloris); default 0 = never.
   */
  messageTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxMessageBytes?: number;
  maxHeaderLineBytes?: number;
  logger?: Logger;
}

/** How one kind of stream listens and connects; `connected` is the event a dialled socket is ready on. */
export interface StreamSockets {
  kind: "tcp" | "tls";
  createServer(onSocket: (socket: Socket) => void): Server;
  connect(dest: HostPort): Socket;
  connectedEvent: "connect" | "secureConnect";
}

export class StreamTransport implements Transport {
  readonly reliable = true;
  onMessage: MessageHandler | undefined;
  onDrop: DropHandler | undefined;
  onLimit: ((limit: ConnectionLimit, source: MessageSource) => void) | undefined;
  readonly #options: StreamTransportOptions;
  /** Open inbound connections per source key. */
  readonly #perSource = new Map<string, number>();
  readonly #sockets: StreamSockets;
  readonly #connections = new Map<string, Socket>();
  readonly #connecting = new Map<string, Promise<Socket>>();
  #server: Server | undefined;
  #local: HostPort;
  #closed = false;

  constructor(options: StreamTransportOptions, sockets: StreamSockets) {
    this.#options = options;
    this.#sockets = sockets;
    this.#local = { host: options.host, port: options.port };
  }

  get kind(): "tcp" | "tls" {
    return this.#sockets.kind;
  }

  get local(): HostPort {
    return this.#local;
  }

  /** Open connections, for metrics and tests. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  get #name(): string {
    return this.kind.toUpperCase();
  }

  get #maxConnections(): number {
    return this.#options.maxConnections ?? 1024;
  }

  /** Binds `port` (default the configured one); a failed bind leaves the transport unbound. */
  listen(port: number = this.#options.port): Promise<HostPort> {
    const { host } = this.#options;
    const server = this.#sockets.createServer((socket) => this.#accept(socket));
    return new Promise((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          new SipTransportError(
            `cannot listen on ${this.#name} ${host}:${port}: ${err.message}`,
            undefined,
            { cause: err },
          ),
        ),
      );
      server.listen(port, host, () => {
        server.removeAllListeners("error");
        server.on("error", (err) =>
          this.#options.logger?.warn({ err: err.message }, `sip ${this.kind} server error`),
        );
        // A TLS handshake that fails concerns one peer, never the listener.
        server.on("tlsClientError", (err: Error, socket: Socket) => {
          this.onDrop?.(`TLS handshake failed: ${err.message}`, this.#sourceOf(socket));
        });
        const addr = server.address();
        if (addr !== null && typeof addr === "object") {
          this.#local = { host: normalizeAddress(addr.address), port: addr.port };
        }
        this.#server = server;
        resolve(this.#local);
      });
    });
  }

  #sourceOf(socket: Socket): MessageSource {
    return {
      host: normalizeAddress(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
      transport: this.kind,
    };
  }

  #accept(socket: Socket): void {
    const source = this.#sourceOf(socket);
    if (this.#closed || this.#connections.size >= this.#maxConnections) {
      this.onDrop?.(`too many ${this.#name} connections`, source);
      if (!this.#closed) this.onLimit?.("total", source);
      socket.destroy();
      return;
    }
    const cap = this.#options.maxConnectionsPerSource ?? 0;
    if (cap > 0 && !this.#options.isExempt?.(source.host)) {
      // Refused before a byte is read, as a firewall's connlimit would.
      const key = sourceKey(source.host);
      const open = this.#perSource.get(key) ?? 0;
      if (open >= cap) {
        this.onDrop?.(`too many ${this.#name} connections from this source`, source);
        this.onLimit?.("per-source", source);
        socket.destroy();
        return;
      }
      this.#perSource.set(key, open + 1);
      socket.once("close", () => {
        const left = (this.#perSource.get(key) ?? 1) - 1;
        if (left > 0) this.#perSource.set(key, left);
        else this.#perSource.delete(key);
      });
    }
    this.#attach(socket, source, true);
  }

  /** Wires framing, idle and message timeouts and bookkeeping onto a connected socket. */
  #attach(socket: Socket, peer: HostPort, inbound = false): void {
    const key = formatHostPort(peer);
    const source: MessageSource = { host: peer.host, port: peer.port, transport: this.kind };
    const framer = new SipStreamFramer({
      maxMessageBytes: this.#options.maxMessageBytes,
      maxHeaderLineBytes: this.#options.maxHeaderLineBytes,
    });
    this.#connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs ?? 300_000, () => socket.destroy());
    const messageTimeoutMs = this.#options.messageTimeoutMs ?? 0;
    let unfinished: NodeJS.Timeout | undefined;
    const cutSlow = () => {
      this.onDrop?.("no complete message in time", source);
      this.onLimit?.("message-timeout", source);
      socket.destroy();
    };
    const armMessageTimer = (armed: boolean) => {
      if (messageTimeoutMs <= 0) return;
      if (!armed) {
        clearTimeout(unfinished);
        unfinished = undefined;
      } else if (unfinished === undefined) {
        unfinished = setTimeout(cutSlow, messageTimeoutMs);
        unfinished.unref();
      }
    };
    // Who connects to us owes a first message; on our own connections we speak first.
    let awaitingFirst = inbound;
    armMessageTimer(inbound);
    socket.on("data", (chunk: Buffer) => {
      const batch = framer.push(chunk);
      if (batch.messages.length > 0) {
        awaitingFirst = false;
        armMessageTimer(false);
      }
      if (!awaitingFirst) armMessageTimer(framer.buffered > 0);
      for (const message of batch.messages) {
        if (socket.destroyed) break;
        this.onMessage?.(message, source);
      }
      // RFC 5626 §4.4.1: each double-CRLF ping is answered with a single CRLF pong.
      if (batch.keepalives > 0 && !socket.destroyed) socket.write("\r\n".repeat(batch.keepalives));
      if (batch.error !== undefined) {
        this.onDrop?.(batch.error, source);
        socket.destroy();
      }
    });
    socket.on("error", (err) =>
      this.#options.logger?.debug(
        { peer: key, err: err.message },
        `sip ${this.kind} connection error`,
      ),
    );
    socket.on("close", () => {
      clearTimeout(unfinished);
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
  }

  isConnected(dest: HostPort): boolean {
    const socket = this.#connections.get(formatHostPort(dest));
    return socket !== undefined && !socket.destroyed && socket.writable;
  }

  async send(buf: Buffer, dest: HostPort): Promise<void> {
    const socket = await this.#connection(dest);
    await new Promise<void>((resolve, reject) => {
      socket.write(buf, (err) => {
        if (err)
          reject(
            new SipTransportError(
              `${this.#name} send to ${formatHostPort(dest)} failed: ${err.message}`,
              dest,
              { cause: err },
            ),
          );
        else resolve();
      });
    });
  }

  #connection(dest: HostPort): Promise<Socket> {
    const name = this.#name;
    if (this.#closed)
      return Promise.reject(new SipTransportError(`${name} transport is closed`, dest));
    const key = formatHostPort(dest);
    const open = this.#connections.get(key);
    if (open && !open.destroyed && open.writable) return Promise.resolve(open);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    if (this.#connections.size + this.#connecting.size >= this.#maxConnections) {
      return Promise.reject(
        new SipTransportError(`too many ${name} connections to open one to ${key}`, dest),
      );
    }
    const attempt = new Promise<Socket>((resolve, reject) => {
      const socket = this.#sockets.connect(dest);
      const timer = setTimeout(
        () => socket.destroy(new Error("connect timed out")),
        this.#options.connectTimeoutMs ?? 10_000,
      );
      socket.once(this.#sockets.connectedEvent, () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        if (this.#closed) {
          socket.destroy();
          reject(new SipTransportError(`${name} transport is closed`, dest));
          return;
        }
        this.#attach(socket, dest);
        resolve(socket);
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new SipTransportError(`${name} connect to ${key} failed: ${err.message}`, dest, {
            cause: err,
          }),
        );
      });
    }).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
