// Hands out UDP sockets bound to even ports of the configured RTP range (`sip.rtpPorts`): RTP
// uses the even port and leaves the odd one above it to RTCP (RFC 3550 §11, RFC 3551 §5).
import { createSocket, type Socket, type SocketType } from "node:dgram";
import { RtpPortsExhaustedError } from "../../core/errors.ts";

export interface PortRange {
  min: number;
  max: number;
}

// Thrown when every even port of the range is leased; the class lives in the one error table.
export { RtpPortsExhaustedError } from "../../core/errors.ts";

/** Parses "20000-29999"; throws RangeError when the range holds no even port. */
export function parsePortRange(spec: string): PortRange {
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(spec);
  const min = match ? Number(match[1]) : Number.NaN;
  const max = match ? Number(match[2]) : Number.NaN;
  if (!(min >= 1 && max <= 65535 && min <= max)) {
    throw new RangeError(`bad RTP port range "${spec}": expected e.g. 20000-29999 within 1-65535`);
  }
  if (min === max && min % 2 === 1)
    throw new RangeError(`RTP port range "${spec}" has no even port`);
  return { min, max };
}

export interface RtpPortPoolOptions {
  /** "20000-29999" or a parsed range. */
  range: string | PortRange;
  /** Address sockets bind to unless allocate() names another; default 0.0.0.0. */
  host?: string;
  type?: SocketType;
  /** Receive buffer per socket in bytes; the kernel default is enough for one call. */
  receiveBufferSize?: number;
}

export interface RtpPortLease {
  socket: Socket;
  port: number;
  /** Closes the socket, which returns the port to the pool. Idempotent. */
  release(): void;
}

/**
 * Next-fit over the even ports, so a port just released is the last to be handed out again and
 * stragglers of a finished call rarely reach a new one. Ports bound by other processes are
 * skipped (EADDRINUSE); a port returns to the pool when its socket closes, whoever closes it.
 */
export class RtpPortPool {
  readonly range: PortRange;
  readonly #host: string;
  readonly #type: SocketType;
  readonly #receiveBufferSize: number | undefined;
  readonly #leased = new Set<number>();
  /** Open leases per owner (a caller's source address), for per-source caps. */
  readonly #byOwner = new Map<string, number>();
  readonly #first: number;
  readonly #count: number;
  #cursor = 0;

  constructor(options: RtpPortPoolOptions) {
    this.range = typeof options.range === "string" ? parsePortRange(options.range) : options.range;
    this.#host = options.host ?? "0.0.0.0";
    this.#type = options.type ?? "udp4";
    this.#receiveBufferSize = options.receiveBufferSize;
    this.#first = this.range.min + (this.range.min % 2);
    this.#count = Math.floor((this.range.max - this.#first) / 2) + 1;
  }

  /** Ports currently leased by this pool. */
  get inUse(): number {
    return this.#leased.size;
  }

  /** Leases allocated (or being bound) for `owner` and not yet released. */
  heldBy(owner: string): number {
    return this.#byOwner.get(owner) ?? 0;
  }

  /** Even ports in the range. */
  get capacity(): number {
    return this.#count;
  }

  /**
   * Binds a socket on the next free even port; rejects with RtpPortsExhaustedError. The lease
   * counts against `owner` (heldBy) until its socket closes.
   */
  async allocate(host: string = this.#host, owner?: string): Promise<RtpPortLease> {
    // Counted from the start, so that concurrent allocations for one owner all see each other.
    if (owner !== undefined) this.#byOwner.set(owner, this.heldBy(owner) + 1);
    const disown = () => {
      if (owner === undefined) return;
      const left = this.heldBy(owner) - 1;
      if (left > 0) this.#byOwner.set(owner, left);
      else this.#byOwner.delete(owner);
    };
    for (let tried = 0; tried < this.#count; tried++) {
      const port = this.#first + 2 * this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#count;
      if (this.#leased.has(port)) continue;
      this.#leased.add(port); // reserved while binding, so concurrent allocate() calls skip it
      let socket: Socket | null;
      try {
        socket = await this.#bind(port, host);
      } catch (error) {
        this.#leased.delete(port);
        disown();
        throw error;
      }
      if (socket === null) {
        this.#leased.delete(port);
        continue;
      }
      socket.once("close", () => {
        this.#leased.delete(port);
        disown();
      });
      return { socket, port, release: () => closeQuietly(socket) };
    }
    disown();
    throw new RtpPortsExhaustedError(this.range, this.#leased.size);
  }

  // Resolves null when the port is taken; any other bind error (bad host) is the caller's to see.
  #bind(port: number, host: string): Promise<Socket | null> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: this.#type, reuseAddr: false });
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(null);
        else reject(error);
      };
      socket.once("error", onError);
      socket.bind({ port, address: host, exclusive: true }, () => {
        socket.off("error", onError);
        if (this.#receiveBufferSize !== undefined) {
          socket.setRecvBufferSize(this.#receiveBufferSize);
        }
        resolve(socket);
      });
    });
  }
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed
  }
}
