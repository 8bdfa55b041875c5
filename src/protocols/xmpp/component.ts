// XEP-0114 component connection: `jabber:component:accept` stream, <handshake> of SHA-1(stream id
// + secret), status machine offline → connecting → handshaking → online → closing. Our own code,
// not @xmpp/component 0.13.1 (it runs on Node 20, but has no types, no stanza size limit, and its
// ltx parser silently skips comments and broken markup).

import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { type Socket, connect as tcpConnect } from "node:net";
import type { Logger } from "pino";
import { NotConnectedError, NS_STREAMS, StreamError, XmppTimeoutError } from "./errors.ts";
import { DEFAULT_MAX_STANZA_BYTES, StreamParser, XmlStreamError } from "./parser.ts";
import { localName, text, toXml, type XmlElement } from "./xml.ts";

export const NS_COMPONENT = "jabber:component:accept";

export type ComponentStatus = "offline" | "connecting" | "handshaking" | "online" | "closing";

export interface ComponentOptions {
  host: string;
  port: number;
  /** The component's domain, as configured on the server (`Component "<domain>"`). */
  domain: string;
  secret: string;
  /** Largest stanza sent or accepted (UTF-8 bytes; 256 KiB); a larger one in is `oversized`. */
  maxStanzaBytes?: number;
  /** Time from TCP connect to `<handshake/>`; default 10 s. */
  handshakeTimeoutMs?: number;
  /** Time close() waits for the server's `</stream:stream>`; default 2 s. */
  closeTimeoutMs?: number;
  logger?: Logger;
}

export interface DisconnectInfo {
  /** Why the connection ended; undefined after a clean close() or a clean close by the server. */
  error?: Error;
  /** True when close() was called: the owner wants the connection down. */
  requested: boolean;
}

export interface ComponentEvents {
  status: [status: ComponentStatus, previous: ComponentStatus];
  online: [];
  stanza: [stanza: XmlElement];
  oversized: [top: XmlElement, reason: string]; // dropped stanza's top element, no children
  disconnect: [info: DisconnectInfo];
}

/** XEP-0114 §3: the handshake digest, lower-case hex SHA-1 of the stream id and the secret. */
export function handshakeDigest(streamId: string, secret: string): string {
  return createHash("sha1")
    .update(streamId + secret, "utf8")
    .digest("hex");
}

export class ComponentConnection extends EventEmitter<ComponentEvents> {
  readonly options: Required<Omit<ComponentOptions, "logger">> & { logger?: Logger };
  #status: ComponentStatus = "offline";
  #socket: Socket | undefined;
  #error: Error | undefined;
  #requested = false;
  #timer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;
  #settle: ((error?: Error) => void) | undefined;
  #closed: Promise<void> = Promise.resolve();
  #closeSent = false;

  constructor(options: ComponentOptions) {
    super();
    this.options = {
      maxStanzaBytes: DEFAULT_MAX_STANZA_BYTES,
      handshakeTimeoutMs: 10_000,
      closeTimeoutMs: 2_000,
      ...options,
    };
  }

  get status(): ComponentStatus {
    return this.#status;
  }

  get domain(): string {
    return this.options.domain;
  }

  #setStatus(next: ComponentStatus): void {
    const previous = this.#status;
    if (previous === next) return;
    this.#status = next;
    this.options.logger?.debug({ status: next, previous, domain: this.domain }, "xmpp component");
    this.emit("status", next, previous);
    if (next === "online") this.emit("online");
  }

  /** Opens the stream and resolves once online; rejects with the reason it did not get there. */
  connect(): Promise<void> {
    if (this.#connecting) return this.#connecting;
    if (this.#status === "online") return Promise.resolve();
    if (this.#status !== "offline")
      return Promise.reject(new Error(`cannot connect while ${this.#status}`));
    this.#error = undefined;
    this.#requested = false;
    this.#closeSent = false;
    this.#setStatus("connecting");
    const { host, port } = this.options;
    const socket = tcpConnect({ host, port });
    this.#socket = socket;
    this.#connecting = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
    this.#closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const parser = new StreamParser(
      {
        streamStart: (root) => this.#onStreamStart(root),
        stanza: (stanza) => this.#onStanza(stanza),
        streamEnd: () => this.#onStreamEnd(),
      },
      {
        maxStanzaBytes: this.options.maxStanzaBytes,
        // one client's huge or deeply nested stanza must not take every user offline
        onOversized: (top, reason) => this.#onOversized(top, reason),
      },
    );
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on("connect", () => {
      this.#setStatus("handshaking");
      this.#arm(this.options.handshakeTimeoutMs, () =>
        this.#fail(new XmppTimeoutError("no handshake from the server"), "connection-timeout"),
      );
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='${NS_COMPONENT}' xmlns:stream='${NS_STREAMS}' to='${this.domain}'>`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.#socket !== socket || this.#status === "offline") return;
      try {
        parser.write(chunk);
      } catch (err) {
        if (!(err instanceof XmlStreamError)) throw err;
        this.#fail(new StreamError(err.condition, err.message), err.condition);
      }
    });
    socket.on("error", (err) => {
      this.#error ??= err;
    });
    socket.on("close", () => this.#onClose(socket));
    return this.#connecting;
  }

  #onStreamStart(root: XmlElement): void {
    if (root.name !== "stream:stream" || root.attrs["xmlns:stream"] !== NS_STREAMS) {
      this.#fail(new StreamError("invalid-namespace", "not an XMPP stream"), "invalid-namespace");
      return;
    }
    const id = root.attrs.id;
    if (!id) {
      this.#fail(
        new StreamError("undefined-condition", "stream without id"),
        "undefined-condition",
      );
      return;
    }
    // the digest is never logged: it would let anyone replay the secret for this stream id
    this.#socket?.write(`<handshake>${handshakeDigest(id, this.options.secret)}</handshake>`);
  }

  #onStanza(stanza: XmlElement): void {
    if (stanza.name === "stream:error") {
      this.#fail(StreamError.fromElement(stanza));
      return;
    }
    if (this.#status === "handshaking") {
      if (localName(stanza) !== "handshake" || text(stanza).trim() !== "") {
        this.#fail(
          new StreamError("not-authorized", "unexpected handshake reply"),
          "not-authorized",
        );
        return;
      }
      this.#clearTimer();
      this.#setStatus("online");
      const settle = this.#settle;
      this.#settle = undefined;
      this.#connecting = undefined;
      settle?.();
      return;
    }
    if (this.#status === "online") this.#safely(() => this.emit("stanza", stanza));
  }

  #onOversized(top: XmlElement, reason: string): void {
    if (this.#status !== "online") return;
    const { from, to } = top.attrs;
    this.options.logger?.warn({ name: top.name, from, to, reason }, "xmpp: oversized stanza");
    this.#safely(() => this.emit("oversized", top, reason));
  }

  /** A listener's bug is not the server's fault: log it and keep the stream. */
  #safely(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      this.options.logger?.error({ err, domain: this.domain }, "xmpp stanza listener threw");
    }
  }

  #onStreamEnd(): void {
    if (this.#status !== "closing")
      this.#error ??= new StreamError("connection-closed", "the server closed the stream");
    this.#setStatus("closing");
    this.#endStream();
    this.#arm(this.options.closeTimeoutMs, () => this.#socket?.destroy());
  }

  /** Writes our `</stream:stream>` once and half-closes the socket. */
  #endStream(): void {
    const socket = this.#socket;
    if (!socket) return;
    if (!this.#closeSent && socket.writable) socket.end("</stream:stream>");
    else socket.end();
    this.#closeSent = true;
  }

  /** Ends the stream because of `error`, sending our own stream error when `condition` is set. */
  #fail(error: Error, condition?: string): void {
    const socket = this.#socket;
    if (!socket || this.#status === "offline") return;
    this.#error ??= error;
    this.options.logger?.warn({ err: error, domain: this.domain }, "xmpp component stream failed");
    this.#setStatus("closing");
    if (condition && socket.writable && !this.#closeSent)
      socket.write(toXml(new StreamError(condition).toElement()));
    this.#endStream();
    this.#arm(this.options.closeTimeoutMs, () => socket.destroy());
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#clearTimer();
    this.#socket = undefined;
    const error = this.#requested ? undefined : (this.#error ?? new Error("connection lost"));
    this.#setStatus("offline");
    const settle = this.#settle;
    this.#settle = undefined;
    this.#connecting = undefined;
    settle?.(error ?? new Error("closed before the handshake completed"));
    if (error)
      this.options.logger?.info({ err: error, domain: this.domain }, "xmpp component offline");
    this.emit(
      "disconnect",
      error ? { error, requested: this.#requested } : { requested: this.#requested },
    );
  }

  #arm(ms: number, fn: () => void): void {
    this.#clearTimer();
    this.#timer = setTimeout(fn, ms);
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Sends one stanza (its `from` defaults to the component's domain); resolves once written.
   * Throws NotConnectedError when not online and RangeError for a stanza over maxStanzaBytes,
   * which the server would answer by closing the stream.
   */
  send(stanza: XmlElement): Promise<void> {
    const socket = this.#socket;
    if (this.#status !== "online" || !socket)
      throw new NotConnectedError(`xmpp component is ${this.#status}`);
    const out = stanza.attrs.from
      ? stanza
      : { ...stanza, attrs: { ...stanza.attrs, from: this.domain } };
    const data = toXml(out);
    if (Buffer.byteLength(data) > this.options.maxStanzaBytes)
      throw new RangeError(`stanza larger than ${this.options.maxStanzaBytes} bytes`);
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the stream politely and resolves once the socket is gone. Never reconnects by itself. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#requested = true;
    if (this.#status === "connecting" || !socket.writable) socket.destroy();
    else if (this.#status !== "closing") {
      this.#setStatus("closing");
      socket.write("</stream:stream>");
      this.#closeSent = true;
      this.#arm(this.options.closeTimeoutMs, () => socket.destroy());
    }
    await this.#closed;
  }
}
