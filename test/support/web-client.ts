// A web client for tests: a real WebSocket to /api/v1/stream that records every event, acks
// them (unless told not to) and lets a test wait for the events it expects.

import WebSocket from "ws";

export interface StreamEvent {
  id?: string;
  type: string;
  [key: string]: unknown;
}

export interface TestWebClient {
  events: StreamEvent[];
  /** Waits for an event matching `match` that arrived after `since` (an index into events). */
  waitFor(
    match: (e: StreamEvent) => boolean,
    timeoutMs?: number,
    since?: number,
  ): Promise<StreamEvent>;
  send(frame: unknown): void;
  close(): Promise<void>;
  socket: WebSocket;
}

export async function connectWebClient(
  httpPort: number,
  token: string,
  opts: { autoAck?: boolean; client?: string } = {},
): Promise<TestWebClient> {
  const query = new URLSearchParams({ token, ...(opts.client ? { client: opts.client } : {}) });
  const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/api/v1/stream?${query}`);
  const events: StreamEvent[] = [];
  const listeners = new Set<() => void>();
  socket.on("message", (data) => {
    const event = JSON.parse(String(data)) as StreamEvent;
    events.push(event);
    if ((opts.autoAck ?? true) && event.id && event.type !== "sent" && event.type !== "error") {
      socket.send(JSON.stringify({ type: "ack", id: event.id }));
    }
    for (const l of [...listeners]) l();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) =>
      reject(new Error(`stream refused: HTTP ${res.statusCode}`)),
    );
  });
  return {
    events,
    socket,
    send: (frame) => socket.send(JSON.stringify(frame)),
    waitFor(match, timeoutMs = 15_000, since = 0) {
      const found = events.slice(since).find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(since).find(match);
          if (hit) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.close();
      }),
  };
}
