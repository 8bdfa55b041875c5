// SIP over UDP (RFC 3261 §18.1.1, §18.2.1): one datagram socket bound to host:port, one message per
// datagram. Oversized datagrams are dropped here, before the parser sees them.

import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";
import type { HostPort } from "../../../core/host-port.ts";
import {
  type DropHandler,
  type MessageHandler,
  normalizeAddress,
  SipTransportError,
  type Transport,
} from "./types.ts";

export interface UdpTransportOptions {
  host: string;
  /** 0 lets the system pick a free port. */
  port: number;
  /** Datagrams above this size are dropped unparsed (default 64 KiB). */
  maxMessageBytes?: number;
  logger?: Logger;
}

export class UdpTransport implements Transport {
  readonly kind = "udp";
  readonly reliable = false;
  onMessage: MessageHandler | undefined;
  onDrop: DropHandler | undefined;
  readonly #options: UdpTransportOptions;
  #socket: Socket | undefined;
  #local: HostPort;

  constructor(options: UdpTransportOptions) {
    this.#options = options;
    this.#local = { host: options.host, port: options.port };
  }

  get local(): HostPort {
    return this.#local;
  }

  listen(port: number = this.#options.port): Promise<HostPort> {
    const { host, logger } = this.#options;
    const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
    const max = this.#options.maxMessageBytes ?? 64 * 1024;
    socket.on("message", (buf, rinfo) => {
      const source = {
        host: normalizeAddress(rinfo.address),
        port: rinfo.port,
        transport: "udp" as const,
      };
      if (buf.length > max) {
        this.onDrop?.("datagram too large", source);
        return;
      }
      this.onMessage?.(buf, source);
    });
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error) => {
        socket.close();
        reject(
          new SipTransportError(`cannot bind UDP ${host}:${port}: ${err.message}`, undefined, {
            cause: err,
          }),
        );
      };
      socket.once("error", onBindError);
      socket.bind(port, host, () => {
        socket.off("error", onBindError);
        // ICMP errors and the like surface here; they concern one peer, never the listener.
        socket.on("error", (err) => logger?.warn({ err: err.message }, "sip udp socket error"));
        const addr = socket.address();
        this.#local = { host: normalizeAddress(addr.address), port: addr.port };
        this.#socket = socket;
        resolve(this.#local);
      });
    });
  }

  send(buf: Buffer, dest: HostPort): Promise<void> {
    const socket = this.#socket;
    if (!socket)
      return Promise.reject(new SipTransportError("UDP transport is not listening", dest));
    return new Promise((resolve, reject) => {
      try {
        socket.send(buf, dest.port, dest.host, (err) => {
          if (err)
            reject(
              new SipTransportError(
                `UDP send to ${dest.host}:${dest.port} failed: ${err.message}`,
                dest,
                { cause: err },
              ),
            );
          else resolve();
        });
      } catch (err) {
        // Bad port numbers and closed sockets throw synchronously in node:dgram.
        reject(
          new SipTransportError(
            `UDP send to ${dest.host}:${dest.port} failed: ${String(err)}`,
            dest,
            { cause: err },
          ),
        );
      }
    });
  }

  isConnected(): boolean {
    return false;
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
