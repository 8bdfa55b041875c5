// The web IM client adapter (README "The outside contract" stream): keeps each user's browser
// connections per (userId, clientId), pushes events and waits for the client's ack, and turns
// `send` frames into communications. RFC 6455 close codes: 1001 going away, 1008 policy (too many
// sockets for one user), 1009 message too big. Sends are rate limited per user
// (core/rate-limit.ts).

import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import type { ZodError } from "zod";
import type { Address } from "../../core/address.ts";
import { formatAddress } from "../../core/address.ts";
import type { CallActions } from "../../core/call-waiting.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { VoicemailIndicator } from "../../core/mwi.ts";
import type {
  Adapter,
  AvailabilityListener,
  DeliveryTarget,
  Gateway,
  IndicatorTarget,
  TargetRelay,
} from "../../core/ports.ts";
import { type Take, TokenBuckets } from "../../core/rate-limit.ts";
import type { Rendition } from "../../core/rendition.ts";
import { AckWaiters } from "./acks.ts";
import { callActionReply } from "./call-actions.ts";
import type { MwiEvent, ReplyFrame, StreamEvent, UpFrame } from "./frames.ts";
import { upFrameSchema } from "./frames.ts";
import type { WebClientId } from "./inbound.ts";
import { handleSend } from "./inbound.ts";
import { messageEvent } from "./outbound.ts";

export interface WebClientHubOptions {
  /** Where `send` frames go. Pass a wrapper (`{receive: (d) => gw.receive(d)}`) to break a cycle. */
  gateway: Pick<Gateway, "receive">;
  logger: Logger;
  /** How long an event waits for its ack before send() gives up (config.outbox.ackTimeoutMs). */
  ackTimeoutMs: number;
  heartbeatMs?: number;
  maxFrameBytes?: number;
  /** Sockets one user may have open at once (all their clients); more are closed with 1008. */
  maxSocketsPerUser?: number;
  /** Sends per user (WebSocket `send` and POST /messages together). */
  sendRate?: { burst: number; perMinute: number };
  /** Called each time a limit refuses a socket or a send (for metrics). */
  onThrottle?: (reason: "sockets-per-user" | "send-rate") => void;
  /** Where `call-action` frames go (the ICW system); an error reply when absent. */
  callActions?: CallActions;
  /**
   * In a cluster: events for a client connected to another node go there, and this node's
   * clients take events from the others (docs/cluster.md "Sticky connections").
   */
  relay?: TargetRelay;
}

interface Connection extends WebClientId {
  key: string;
  alive: boolean;
}

export const WS_GOING_AWAY = 1001;
export const WS_POLICY_VIOLATION = 1008;
export const WS_MESSAGE_TOO_BIG = 1009;

export class WebClientHub implements Adapter, IndicatorTarget {
  readonly name = "web";
  readonly #opts: Required<Omit<WebClientHubOptions, "callActions" | "relay">> &
    Pick<WebClientHubOptions, "callActions" | "relay">;
  readonly #connections = new Map<WebSocket, Connection>();
  readonly #byClient = new Map<string, Set<WebSocket>>();
  readonly #acks: AckWaiters;
  readonly #listeners = new Set<AvailabilityListener>();
  readonly #perUser = new Map<string, number>();
  readonly #sends: TokenBuckets;
  /** Per client key: what withdraws this node's offer to deliver for it (cluster relay). */
  readonly #offers = new Map<string, () => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: WebClientHubOptions) {
    this.#opts = {
      heartbeatMs: 30_000,
      maxFrameBytes: 64 * 1024,
      maxSocketsPerUser: 10,
      sendRate: { burst: 30, perMinute: 60 },
      onThrottle: () => {},
      ...opts,
    };
    this.#acks = new AckWaiters(opts.ackTimeoutMs);
    this.#sends = new TokenBuckets(this.#opts.sendRate);
  }

  /** One send of `userId` against their rate (POST /messages asks too, so both share it). */
  takeSend(userId: string): Take {
    const take = this.#sends.take(userId);
    if (!take.ok) this.#opts.onThrottle("send-rate");
    return take;
  }

  /** Sockets open now, of every user. */
  socketCount(): number {
    return this.#connections.size;
  }

  handles(address: Address): boolean {
    return address.scheme === "web";
  }

  async start(): Promise<void> {
    this.#closed = false;
  }

  async stop(): Promise<void> {
    this.close();
  }

  /** Closes every socket with 1001 (going away); un-acked events are re-sent after a restart. */
  close(): void {
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const socket of [...this.#connections.keys()])
      socket.close(WS_GOING_AWAY, "server stopping");
  }

  /** Called with `web:user/client` each time a client connects: the outbox releases held rows. */
  onAvailable(listener: AvailabilityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  isConnected(userId: string, clientId: string): boolean {
    return (this.#byClient.get(keyOf({ userId, clientId }))?.size ?? 0) > 0;
  }

  /** The ids of the user's clients with a socket open now (call alerts go to each). */
  connectedClients(userId: string): string[] {
    const ids = new Set<string>();
    for (const conn of this.#connections.values())
      if (conn.userId === userId) ids.add(conn.clientId);
    return [...ids];
  }

  isAvailable(address: Address): boolean {
    if (address.scheme !== "web") return false;
    return (
      this.isConnected(address.userId, address.clientId) ||
      (this.#opts.relay?.heldElsewhere(formatAddress(address)) ?? false)
    );
  }

  async send(
    communication: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string | undefined> {
    const { address } = target;
    if (address.scheme !== "web")
      throw new DeliveryError(`web adapter cannot reach ${formatAddress(address)}`, true);
    if (rendition.medium !== "text")
      throw new DeliveryError("web clients take text renditions", true);
    await this.deliver(
      address,
      messageEvent(communication, rendition, target.deliveryId),
      target.written,
    );
    return target.deliveryId;
  }

  /**
   * The voicemail indicator as a `mwi` stream event (README "The outside contract"), acked like
   * any event.
   */
  async sendIndicator(address: Address, indicator: VoicemailIndicator, id: string): Promise<void> {
    if (address.scheme !== "web")
      throw new DeliveryError(`web adapter cannot reach ${formatAddress(address)}`, true);
    const event: MwiEvent = { id, type: "mwi", ...indicator };
    await this.deliver(address, event);
  }

  /**
   * Writes an event to every socket of the client and resolves on the first ack (`written` is
   * told in between). Rejects with TargetUnavailableError when no socket is open, all close
   * first, or the ack times out.
   */
  deliver(client: WebClientId, event: StreamEvent, written?: () => void): Promise<void> {
    const key = keyOf(client);
    const body = JSON.stringify(event);
    const relay = this.#opts.relay;
    if (relay && !this.#byClient.get(key)?.size) {
      const target = formatAddress({ scheme: "web", ...client });
      return relay.forward(target, event.id, body).then(() => undefined);
    }
    return this.#deliverHere(key, event.id, body, written);
  }

  #deliverHere(key: string, id: string, body: string, written?: () => void): Promise<void> {
    const sockets = this.#byClient.get(key);
    if (!sockets || sockets.size === 0) {
      return Promise.reject(new TargetUnavailableError(`web client ${key} is not connected`));
    }
    const acked = this.#acks.wait(key, id, body, sockets);
    written?.();
    return acked;
  }

  /** Takes over an authenticated WebSocket (routes/stream.ts). */
  attach(socket: WebSocket, client: WebClientId): void {
    if (this.#closed) {
      socket.close(WS_GOING_AWAY, "server stopping");
      return;
    }
    // Gone between the upgrade and here: its close event has passed, so it would never leave.
    if (socket.readyState !== socket.OPEN) return;
    const open = this.#perUser.get(client.userId) ?? 0;
    if (open >= this.#opts.maxSocketsPerUser) {
      this.#opts.onThrottle("sockets-per-user");
      this.#opts.logger.warn(
        { userId: client.userId, open, limit: this.#opts.maxSocketsPerUser },
        "web client refused: too many sockets for this user",
      );
      socket.close(
        WS_POLICY_VIOLATION,
        `too many connections for this user (limit ${this.#opts.maxSocketsPerUser})`,
      );
      return;
    }
    this.#perUser.set(client.userId, open + 1);
    const key = keyOf(client);
    const conn: Connection = { ...client, key, alive: true };
    this.#connections.set(socket, conn);
    const set = this.#byClient.get(key) ?? new Set<WebSocket>();
    this.#byClient.set(key, set);
    set.add(socket);
    this.#startHeartbeat();

    socket.on("pong", () => {
      conn.alive = true;
    });
    socket.on("message", (data, isBinary) => this.#onMessage(socket, conn, data, isBinary));
    socket.on("close", () => this.#onClose(socket, conn));

    // Events still waiting for an ack go to the new socket too: "sent again on the next
    // connection".
    this.#acks.adopt(key, socket);
    const address: Address = { scheme: "web", userId: client.userId, clientId: client.clientId };
    const relay = this.#opts.relay;
    if (relay && !this.#offers.has(key))
      this.#offers.set(
        key,
        relay.hold(formatAddress(address), (id, body) => this.#deliverHere(key, id, body)),
      );
    for (const listener of this.#listeners) {
      try {
        listener(address);
      } catch (err) {
        this.#opts.logger.error({ err, client: key }, "web: availability listener failed");
      }
    }
    this.#opts.logger.info({ client: key, sockets: set.size }, "web client connected");
  }

  #onMessage(socket: WebSocket, conn: Connection, data: RawData, isBinary: boolean): void {
    if (byteLength(data) > this.#opts.maxFrameBytes) {
      socket.close(WS_MESSAGE_TOO_BIG, "frame too large");
      return;
    }
    const frame = parseFrame(data, isBinary);
    if (frame.type === "error") reply(socket, frame);
    else if (frame.type === "ack") {
      if (!this.#acks.ack(conn.key, frame.id)) this.#lateAck(conn);
    } else if (frame.type === "call-action") {
      void callActionReply(this.#opts.callActions, frame, conn).then(
        (r) => r && reply(socket, r),
        (err: unknown) => {
          this.#opts.logger.error({ err, client: conn.key }, "web: call action failed");
          reply(socket, { type: "error", callId: frame.callId, message: "the action failed" });
        },
      );
    } else {
      const take = this.takeSend(conn.userId);
      if (!take.ok) {
        reply(socket, {
          type: "error",
          requestId: frame.requestId,
          message: `rate limited: too many sends, try again in ${Math.ceil(take.retryAfterMs / 1000)} s`,
          retryAfterMs: take.retryAfterMs,
        });
        return;
      }
      void handleSend(frame, conn, this.#opts.gateway, this.#opts.logger).then((r) =>
        reply(socket, r),
      );
    }
  }

  /**
   * An ack for nothing we wait on: most likely it came after the timeout, and the delivery is
   * held. The client is evidently alive, so announce it and the outbox sends it again (same id).
   */
  #lateAck(conn: Connection): void {
    for (const listener of this.#listeners) {
      try {
        listener({ scheme: "web", userId: conn.userId, clientId: conn.clientId });
      } catch (err) {
        this.#opts.logger.error({ err, client: conn.key }, "web: availability listener failed");
      }
    }
  }

  #onClose(socket: WebSocket, conn: Connection): void {
    this.#connections.delete(socket);
    const left = (this.#perUser.get(conn.userId) ?? 1) - 1;
    if (left > 0) this.#perUser.set(conn.userId, left);
    else this.#perUser.delete(conn.userId);
    const set = this.#byClient.get(conn.key);
    set?.delete(socket);
    if (set?.size === 0) {
      this.#byClient.delete(conn.key);
      this.#offers.get(conn.key)?.();
      this.#offers.delete(conn.key);
    }
    this.#acks.drop(conn.key, socket);
    if (this.#connections.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
    this.#opts.logger.info({ client: conn.key }, "web client disconnected");
  }

  /** Pings every socket; one that did not answer the previous ping is dead and terminated. */
  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      for (const [socket, conn] of this.#connections) {
        if (!conn.alive) {
          socket.terminate();
          continue;
        }
        conn.alive = false;
        socket.ping();
      }
    }, this.#opts.heartbeatMs);
    this.#heartbeat.unref();
  }
}

/** The frame, or the error reply that says why it is not one; the connection stays up. */
function parseFrame(
  data: RawData,
  isBinary: boolean,
): UpFrame | Extract<ReplyFrame, { type: "error" }> {
  if (isBinary) return { type: "error", message: "binary frames are not supported" };
  let json: unknown;
  try {
    json = JSON.parse(textOf(data));
  } catch {
    return { type: "error", message: "frame is not JSON" };
  }
  const parsed = upFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : frameError(json, parsed.error);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function keyOf(client: WebClientId): string {
  return formatAddress({ scheme: "web", userId: client.userId, clientId: client.clientId });
}

function reply(socket: WebSocket, frame: ReplyFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

/** Names the field of the first problem, or the unknown key, as the HTTP API does. */
function frameError(json: unknown, error: ZodError): Extract<ReplyFrame, { type: "error" }> {
  const requestId =
    typeof json === "object" &&
    json !== null &&
    "requestId" in json &&
    typeof json.requestId === "string"
      ? json.requestId
      : undefined;
  const issue = error.issues[0];
  const path = issue?.path.map(String) ?? [];
  if (issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.length > 0 ? path.join(".") : undefined;
  const reason =
    issue?.code === "unrecognized_keys" ? "unknown key" : (issue?.message ?? "invalid");
  // A bad call action names its call, so the client knows which alert the error is about.
  const callId =
    typeof json === "object" && json !== null && "callId" in json && typeof json.callId === "string"
      ? json.callId
      : undefined;
  return {
    type: "error",
    requestId,
    ...(callId ? { callId } : {}),
    message: `invalid frame${field ? ` at ${field}` : ""}: ${reason}`,
    field,
  };
}
