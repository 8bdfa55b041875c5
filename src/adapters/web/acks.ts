// Events waiting for the web client's ack, per client and event id. The first ack from any of the
// client's sockets wins; the wait ends with TargetUnavailableError when every socket it went to
// has closed or the timeout passes, and the outbox then holds the delivery to re-send it.

import type { WebSocket } from "ws";
import { TargetUnavailableError } from "../../core/errors.ts";

interface Waiter {
  frame: string;
  sockets: Set<WebSocket>;
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class AckWaiters {
  readonly #byClient = new Map<string, Map<string, Waiter>>();

  constructor(private readonly timeoutMs: number) {}

  /** Writes `frame` to the sockets and waits. The same id again joins the wait and re-writes it. */
  wait(key: string, id: string, frame: string, sockets: Iterable<WebSocket>): Promise<void> {
    const waiters = this.#byClient.get(key) ?? new Map<string, Waiter>();
    this.#byClient.set(key, waiters);
    const existing = waiters.get(id);
    if (existing) {
      for (const socket of sockets) {
        existing.sockets.add(socket);
        write(socket, existing.frame);
      }
      return existing.promise;
    }
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => {
      this.#finish(key, id)?.reject(
        new TargetUnavailableError(`web client ${key} sent no ack within ${this.timeoutMs} ms`),
      );
    }, this.timeoutMs);
    timer.unref();
    const waiter: Waiter = { frame, sockets: new Set(sockets), promise, resolve, reject, timer };
    waiters.set(id, waiter);
    for (const socket of waiter.sockets) write(socket, frame);
    return promise;
  }

  /** True when something waited on this id. */
  ack(key: string, id: string): boolean {
    const waiter = this.#finish(key, id);
    waiter?.resolve();
    return waiter !== undefined;
  }

  /** A new socket of the client gets every event still waiting, and may ack it. */
  adopt(key: string, socket: WebSocket): void {
    for (const waiter of this.#byClient.get(key)?.values() ?? []) {
      waiter.sockets.add(socket);
      write(socket, waiter.frame);
    }
  }

  /** A socket closed: waits that have no socket left fail, so the outbox holds them. */
  drop(key: string, socket: WebSocket): void {
    for (const [id, waiter] of this.#byClient.get(key) ?? []) {
      waiter.sockets.delete(socket);
      if (waiter.sockets.size === 0) {
        this.#finish(key, id)?.reject(
          new TargetUnavailableError(`web client ${key} disconnected before ack`),
        );
      }
    }
  }

  pending(key: string): number {
    return this.#byClient.get(key)?.size ?? 0;
  }

  #finish(key: string, id: string): Waiter | undefined {
    const waiters = this.#byClient.get(key);
    const waiter = waiters?.get(id);
    if (!waiters || !waiter) return undefined;
    clearTimeout(waiter.timer);
    waiters.delete(id);
    if (waiters.size === 0) this.#byClient.delete(key);
    return waiter;
  }
}

function write(socket: WebSocket, frame: string): void {
  if (socket.readyState === socket.OPEN) socket.send(frame);
}
