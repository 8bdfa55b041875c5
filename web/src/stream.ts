// The event stream (README "The outside contract", WebSocket /api/v1/stream, RFC 6455):
// acknowledges every event, drops repeats of events it has seen, and reconnects by itself with
// jittered exponential backoff.

import { type AckFrame, anyEventSchema, type Reply, replySchema, type UpFrame } from "./schemas.ts";

export type { UpFrame };

export type StreamState = "connecting" | "open" | "waiting";

export interface StreamHandlers {
  /** An event with an id and a type; it is acknowledged before this is called. */
  onEvent(event: { id: string; type: string } & Record<string, unknown>): void;
  onReply(reply: Reply): void;
  onState(state: StreamState, retryInMs?: number): void;
  /** Asked after a refused or lost connection: true when the session is gone (stop trying). */
  sessionGone(): Promise<boolean>;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
/** Ids remembered for de-duplication: far more than a session sees between two reloads. */
const SEEN_LIMIT = 2000;

export class EventStream {
  #socket: WebSocket | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #seen = new Set<string>();

  constructor(
    private readonly token: string,
    private readonly handlers: StreamHandlers,
  ) {}

  start(): void {
    this.#stopped = false;
    // A laptop waking up or a network coming back should not wait out the backoff.
    window.addEventListener("online", this.#now);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    window.removeEventListener("online", this.#now);
    clearTimeout(this.#timer);
    this.#socket?.close(1000, "logout");
    this.#socket = undefined;
  }

  /** False when the socket is not open: the caller shows that the frame was not sent. */
  send(frame: UpFrame): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  readonly #now = (): void => {
    if (this.#socket || this.#stopped) return;
    clearTimeout(this.#timer);
    this.#attempt = 0;
    this.#connect();
  };

  #connect(): void {
    this.#timer = undefined;
    this.handlers.onState("connecting");
    const url = new URL(`/api/v1/stream?token=${encodeURIComponent(this.token)}`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.handlers.onState("open");
    };
    socket.onmessage = (m) => this.#receive(socket, m.data);
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      void this.#retry();
    };
  }

  async #retry(): Promise<void> {
    if (this.#stopped) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    const jittered = Math.round(delay * (0.5 + Math.random() * 0.5));
    this.handlers.onState("waiting", jittered);
    this.#timer = setTimeout(() => this.#connect(), jittered);
    // A refused upgrade looks like any other close to a browser: ask the REST API why.
    if (await this.handlers.sessionGone().catch(() => false)) this.stop();
  }

  #receive(socket: WebSocket, data: unknown): void {
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    const reply = replySchema.safeParse(frame);
    if (reply.success) {
      this.handlers.onReply(reply.data);
      return;
    }
    const event = anyEventSchema.safeParse(frame);
    if (!event.success) return;
    socket.send(JSON.stringify({ type: "ack", id: event.data.id } satisfies AckFrame));
    // An event whose ack was lost comes again on the next connection: show it once.
    if (this.#seen.has(event.data.id)) return;
    this.#seen.add(event.data.id);
    if (this.#seen.size > SEEN_LIMIT) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.handlers.onEvent(frame as { id: string; type: string } & Record<string, unknown>);
  }
}
