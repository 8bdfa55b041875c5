// An in-memory transport pair for deterministic tests (as pjsip's loop transport): what one side
// sends the other receives on a later microtask. Sends are logged; loss and failure can be injected.

import { formatHostPort, type HostPort } from "../../../core/host-port.ts";
import {
  type DropHandler,
  type MessageHandler,
  SipTransportError,
  type Transport,
  type TransportKind,
} from "./types.ts";

export interface LoopOptions {
  /** Reliable loops behave as TCP for the timers (no retransmission); default false (UDP). */
  reliable?: boolean;
  a?: HostPort;
  b?: HostPort;
}

export class LoopTransport implements Transport {
  readonly kind: TransportKind;
  readonly reliable: boolean;
  readonly local: HostPort;
  onMessage: MessageHandler | undefined;
  onDrop: DropHandler | undefined;
  /** Every buffer passed to send(), delivered or not. */
  readonly sent: Buffer[] = [];
  /** Return false to lose a message (it is still logged in `sent`). */
  deliver: (buf: Buffer) => boolean = () => true;
  /** While set, send() rejects with this message, as a broken connection would. */
  failWith: string | undefined;
  peer: LoopTransport | undefined;
  #closed = false;

  constructor(local: HostPort, reliable: boolean) {
    this.local = local;
    this.reliable = reliable;
    this.kind = reliable ? "tcp" : "udp";
  }

  listen(): Promise<HostPort> {
    return Promise.resolve(this.local);
  }

  send(buf: Buffer, dest: HostPort): Promise<void> {
    this.sent.push(buf);
    if (this.#closed)
      return Promise.reject(new SipTransportError("loop transport is closed", dest));
    if (this.failWith !== undefined)
      return Promise.reject(new SipTransportError(this.failWith, dest));
    const peer = this.peer;
    if (!peer || formatHostPort(peer.local) !== formatHostPort(dest)) {
      return Promise.reject(new SipTransportError(`no loop peer at ${formatHostPort(dest)}`, dest));
    }
    if (this.deliver(buf)) {
      const source = { ...this.local, transport: this.kind };
      queueMicrotask(() => {
        if (!peer.#closed) peer.onMessage?.(buf, source);
      });
    }
    return Promise.resolve();
  }

  isConnected(dest: HostPort): boolean {
    return (
      this.reliable &&
      this.peer !== undefined &&
      formatHostPort(this.peer.local) === formatHostPort(dest)
    );
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

/** Two transports wired to each other, at 127.0.0.1:5060 and 127.0.0.2:5060 unless told. */
export function createLoopPair(options: LoopOptions = {}): [LoopTransport, LoopTransport] {
  const reliable = options.reliable ?? false;
  const a = new LoopTransport(options.a ?? { host: "127.0.0.1", port: 5060 }, reliable);
  const b = new LoopTransport(options.b ?? { host: "127.0.0.2", port: 5060 }, reliable);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
