// An SMDI link (Telcordia GR-283-CORE frames carried over TCP instead of the original serial line),
// in either role: dial out with capped, jittered backoff, or listen for one peer at a time.
// Status machine offline → connecting → online → closing, as xmpp.js's connection. SMDI has no
// keep-alive, so none is sent; a dead peer shows up as a TCP error or close.

import { EventEmitter } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { type HostPort, parseHostPort } from "../../core/host-port.ts";
import { encodeFrame, SmdiDecoder, type SmdiDecoderOptions } from "./codec.ts";
import type { SmdiFrame } from "./frames.ts";
import {
  type Reconnect,
  type RedialBackoff,
  realTimers,
  reconnect,
  type Timers,
} from "./reconnect.ts";

export type SmdiLinkStatus = "offline" | "connecting" | "online" | "closing";

/** Every allowed move; anything else is a bug and is logged. */
const TRANSITIONS: Record<SmdiLinkStatus, readonly SmdiLinkStatus[]> = {
  offline: ["connecting", "closing"],
  connecting: ["online", "offline", "closing"],
  online: ["offline", "closing"],
  closing: ["offline"],
};

export interface SmdiLinkCommonOptions {
  /** Names the link in log lines (the `id` of its `smdi[]` config entry). */
  id?: string;
  logger?: Logger;
  backoff?: RedialBackoff;
  timers?: Timers;
  /** Frames held while not online (default 64); beyond that send() rejects them. 0: never queue. */
  maxQueue?: number;
  /** A dial that has not connected by then is abandoned and retried (default 10 s). */
  connectTimeoutMs?: number;
  /** How long close() lets queued bytes drain before it cuts the socket (default 1 s). */
  closeTimeoutMs?: number;
  decoder?: Omit<SmdiDecoderOptions, "onGarbage">;
}
export type SmdiLinkOptions = SmdiLinkCommonOptions &
  ({ connect: string; listen?: undefined } | { listen: string; connect?: undefined });

export interface SmdiLinkEvents {
  status: [status: SmdiLinkStatus];
  frame: [frame: SmdiFrame];
  close: [];
}

export class SmdiLink extends EventEmitter<SmdiLinkEvents> {
  readonly role: "connect" | "listen";
  readonly #id: string;
  readonly #options: SmdiLinkOptions;
  readonly #target: HostPort;
  readonly #log: Logger | undefined;
  readonly #timers: Timers;
  readonly #decoder: SmdiDecoder;
  readonly #reconnect: Reconnect;
  readonly #queue: Buffer[] = [];
  #status: SmdiLinkStatus = "offline";
  #socket: Socket | undefined;
  #server: Server | undefined;
  #started = false;
  #closing: Promise<void> | undefined;
  /** Closed and not started again. */
  #closed = false;
  #resetting = false;

  constructor(options: SmdiLinkOptions) {
    super();
    const address = options.connect ?? options.listen;
    if ((options.connect === undefined) === (options.listen === undefined) || !address) {
      throw new RangeError("SMDI link: give exactly one of connect or listen");
    }
    this.role = options.connect !== undefined ? "connect" : "listen";
    const target = parseHostPort(address.trim());
    if (!target.ok) throw new RangeError(`SMDI link address "${address}": expected host:port`);
    this.#target = target.value;
    this.#options = options;
    this.#id = options.id ?? address;
    this.#log = options.logger;
    this.#timers = options.timers ?? realTimers;
    this.#decoder = new SmdiDecoder({
      ...options.decoder,
      onGarbage: (bytes) => {
        const msg = this.#resetting ? "smdi: partial frame discarded" : "smdi: skipped garbage";
        this.#log?.warn({ smdi: this.#id, bytes }, msg);
      },
    });
    this.#reconnect = reconnect({
      attempt: () => this.#dial(),
      backoff: options.backoff,
      timers: this.#timers,
    });
  }

  get status(): SmdiLinkStatus {
    return this.#status;
  }

  /** The address listened on (port 0 resolved), for the listen role once started. */
  address(): HostPort | undefined {
    const a = this.#server?.address();
    return a && typeof a === "object" ? { host: a.address, port: a.port } : undefined;
  }

  /** Dials (connect role) or starts listening (listen role; resolves once bound, rejects if not). */
  async start(): Promise<void> {
    if (this.#started || this.#closing) return;
    this.#started = true;
    this.#closed = false;
    if (this.role === "connect") return this.#dial();
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.#server = undefined;
        this.#started = false;
        reject(err);
      };
      server.once("error", fail);
      server.listen(this.#target.port, this.#target.host, () => {
        server.off("error", fail);
        resolve();
      });
    });
    server.on("error", (err) => this.#log?.error({ smdi: this.#id, err }, "smdi: listener error"));
    if (this.#status === "offline") this.#setStatus("connecting");
  }

  /**
   * Writes a frame when online. While offline it is queued (up to `maxQueue`) and written in order
   * once online; a full queue, or a link that is closing, rejects it: returns false and logs.
   * Throws SmdiEncodeError for a frame whose fields do not fit the wire format.
   */
  send(frame: SmdiFrame): boolean {
    const bytes = encodeFrame(frame);
    if (this.#closing || this.#closed) {
      this.#log?.warn({ smdi: this.#id, kind: frame.kind }, "smdi: link closed, frame rejected");
      return false;
    }
    if (this.#status === "online" && this.#socket) {
      this.#socket.write(bytes);
      return true;
    }
    if (this.#queue.length >= (this.#options.maxQueue ?? 64)) {
      this.#log?.warn(
        { smdi: this.#id, kind: frame.kind },
        "smdi: offline queue full, frame rejected",
      );
      return false;
    }
    this.#queue.push(bytes);
    return true;
  }

  /**
   * Stops redialling or listening, lets written bytes drain briefly, then cuts the connection.
   * Once it has resolved, start() may open the link again.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#setStatus("closing");
    this.#reconnect.stop();
    const dropped = this.#queue.splice(0).length;
    if (dropped > 0)
      this.#log?.warn({ smdi: this.#id, dropped }, "smdi: closed with frames queued");
    const socket = this.#socket;
    const server = this.#server;
    await Promise.all([
      socket ? this.#endSocket(socket) : undefined,
      server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined,
    ]);
    this.#socket = undefined;
    this.#server = undefined;
    this.#discardPartial();
    this.#setStatus("offline");
    // A closed link may be started again (a cluster node that takes the link over once more);
    // until then it refuses frames as while closing.
    this.#started = false;
    this.#closed = true;
    this.#closing = undefined;
    this.emit("close");
  }

  #endSocket(socket: Socket): Promise<void> {
    if (socket.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.#timers.setTimeout(
        () => socket.destroy(),
        this.#options.closeTimeoutMs ?? 1000,
      );
      socket.once("close", () => {
        this.#timers.clearTimeout(timer);
        resolve();
      });
      if (socket.connecting) socket.destroy();
      else socket.end(() => socket.destroy());
    });
  }

  #dial(): void {
    if (this.#closing) return;
    this.#setStatus("connecting");
    const socket = connect({ host: this.#target.host, port: this.#target.port });
    this.#socket = socket;
    this.#track(socket);
    socket.setTimeout(this.#options.connectTimeoutMs ?? 10_000, () => {
      socket.destroy(new Error("connect timeout"));
    });
    socket.once("connect", () => {
      socket.setTimeout(0);
      this.#online(socket);
    });
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const previous = this.#socket;
    if (previous) {
      this.#log?.info({ smdi: this.#id }, "smdi: new peer replaces the connected one");
      this.#socket = undefined;
      previous.destroy();
      this.#discardPartial();
    }
    this.#socket = socket;
    this.#track(socket);
    this.#online(socket);
  }

  #track(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on("error", (err) => {
      if (socket === this.#socket && !this.#closing) {
        this.#log?.warn({ smdi: this.#id, err: err.message }, "smdi: connection error");
      }
    });
    socket.on("close", () => this.#onClose(socket));
  }

  #online(socket: Socket): void {
    if (socket !== this.#socket || this.#closing) return;
    this.#reconnect.reset();
    if (this.#status !== "online") this.#setStatus("online");
    for (const bytes of this.#queue.splice(0)) socket.write(bytes);
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket || this.#closing) return;
    for (const frame of this.#decoder.push(chunk)) {
      try {
        this.emit("frame", frame);
      } catch (err) {
        this.#log?.error({ smdi: this.#id, err }, "smdi: frame listener threw");
      }
    }
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket || this.#closing) return;
    this.#socket = undefined;
    this.#discardPartial();
    this.#setStatus("offline");
    if (this.role === "listen") {
      this.#setStatus("connecting");
      return;
    }
    const delay = this.#reconnect.schedule();
    this.#log?.debug({ smdi: this.#id, delayMs: delay }, "smdi: redialling");
  }

  /** The connection ended mid-frame: its bytes are dropped (one log line) and decoding resyncs. */
  #discardPartial(): void {
    this.#resetting = true;
    this.#decoder.reset();
    this.#resetting = false;
  }

  #setStatus(next: SmdiLinkStatus): void {
    if (next === this.#status) return;
    if (!TRANSITIONS[this.#status].includes(next)) {
      this.#log?.error({ smdi: this.#id, from: this.#status, to: next }, "smdi: bad status move");
    }
    this.#status = next;
    try {
      this.emit("status", next);
    } catch (err) {
      this.#log?.error({ smdi: this.#id, err }, "smdi: status listener threw");
    }
  }
}
