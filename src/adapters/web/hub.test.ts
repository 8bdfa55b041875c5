import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { until } from "../../../test/support/until.ts";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { CommunicationDraft, Gateway } from "../../core/ports.ts";
import type { TextRendition } from "../../core/rendition.ts";
import { WebClientHub } from "./hub.ts";

type Frame = Record<string, unknown>;

class FakeGateway implements Pick<Gateway, "receive"> {
  readonly drafts: CommunicationDraft[] = [];
  fail: Error | undefined;
  async receive(draft: CommunicationDraft): Promise<Communication> {
    if (this.fail) throw this.fail;
    this.drafts.push(draft);
    const id = `c-${this.drafts.length}-new`;
    return { ...draft, id, userId: draft.userId ?? "", thread: { threadId: id } } as Communication;
  }
}

interface TestClient {
  ws: WebSocket;
  next(): Promise<Frame>;
  closed: Promise<number>;
}

const communication: Communication = {
  id: "c-1",
  kind: "email",
  userId: "alice",
  direction: "inbound",
  from: { scheme: "mailto", email: "bob@example.org" },
  to: { scheme: "mailto", email: "alice@example.com" },
  subject: "Lunch",
  receivedAt: new Date("2024-05-06T07:08:09.123Z"),
  thread: { threadId: "t-1" },
  nativeRefs: [],
  warnings: [],
  body: { text: "at noon?" },
};
const rendition: TextRendition = {
  medium: "text",
  subject: "Lunch",
  text: "at noon?",
  from: "Bob <bob@example.org>",
  notes: [],
};
const aliceWeb: Address = { scheme: "web", userId: "alice", clientId: "web" };
const target = (deliveryId: string, address: Address = aliceWeb) => ({
  deliveryId,
  address,
  attempt: 1,
});

describe("WebClientHub", () => {
  let wss: WebSocketServer;
  let hub: WebClientHub;
  let gateway: FakeGateway;
  let port: number;
  const available: string[] = [];

  before(async () => {
    gateway = new FakeGateway();
    hub = new WebClientHub({
      gateway,
      logger: pino({ level: "silent" }),
      ackTimeoutMs: 300,
      heartbeatMs: 100,
    });
    hub.onAvailable((a) => available.push(a.scheme === "web" ? `${a.userId}/${a.clientId}` : "?"));
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    wss.on("connection", (socket, req) => {
      const url = new URL(req.url ?? "/", "http://x");
      hub.attach(socket, {
        userId: url.searchParams.get("user") ?? "alice",
        clientId: url.searchParams.get("client") ?? "web",
      });
    });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    port = (wss.address() as AddressInfo).port;
  });
  after(async () => {
    hub.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  async function connect(user = "alice", client = "web"): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?user=${user}&client=${client}`);
    const queue: Frame[] = [];
    const waiting: Array<(f: Frame) => void> = [];
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const w = waiting.shift();
      if (w) w(frame);
      else queue.push(frame);
    });
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    // attach() runs on the server's connection event; wait until the hub has the socket.
    while (!hub.isConnected(user, client)) await new Promise((r) => setTimeout(r, 5));
    const next = () =>
      new Promise<Frame>((resolve, reject) => {
        const queued = queue.shift();
        if (queued) return resolve(queued);
        const timer = setTimeout(() => reject(new Error("no frame within 2 s")), 2000);
        waiting.push((f) => {
          clearTimeout(timer);
          resolve(f);
        });
      });
    return { ws, next, closed };
  }

  async function disconnect(c: TestClient, user = "alice", client = "web"): Promise<void> {
    c.ws.close();
    await c.closed;
    while (hub.isConnected(user, client)) await new Promise((r) => setTimeout(r, 5));
  }

  it("rejects with TargetUnavailableError when the client is not connected", async () => {
    assert.equal(hub.isConnected("alice", "web"), false);
    await assert.rejects(hub.send(communication, rendition, target("d-0")), TargetUnavailableError);
  });

  it("delivers a message event and resolves on the client's ack", async () => {
    const c = await connect();
    assert.deepEqual(available.at(-1), "alice/web");
    const sent = hub.send(communication, rendition, target("d-1"));
    const event = await c.next();
    assert.deepEqual(event, {
      id: "d-1",
      type: "message",
      communicationId: "c-1",
      threadId: "t-1",
      from: "Bob <bob@example.org>",
      subject: "Lunch",
      text: "at noon?",
      receivedAt: "2024-05-06T07:08:09.123Z",
    });
    c.ws.send(JSON.stringify({ type: "ack", id: "d-1" }));
    assert.equal(await sent, "d-1");
    await disconnect(c);
  });

  it("re-sends an un-acked event with the same id after a reconnect", async () => {
    const first = await connect();
    const sent = hub.send(communication, rendition, target("d-2"));
    assert.equal((await first.next()).id, "d-2");
    const rejected = assert.rejects(sent, TargetUnavailableError);
    await disconnect(first);
    await rejected;

    const before = available.length;
    const second = await connect();
    assert.deepEqual(available.slice(before), ["alice/web"]);
    const again = hub.send(communication, rendition, target("d-2"));
    assert.equal((await second.next()).id, "d-2");
    second.ws.send(JSON.stringify({ type: "ack", id: "d-2" }));
    assert.equal(await again, "d-2");
    await disconnect(second);
  });

  it("hands a still-waiting event to a socket that connects meanwhile", async () => {
    const a = await connect("alice", "tab");
    const address: Address = { scheme: "web", userId: "alice", clientId: "tab" };
    const sent = hub.send(communication, rendition, target("d-7", address));
    assert.equal((await a.next()).id, "d-7");
    const b = await connect("alice", "tab");
    assert.equal((await b.next()).id, "d-7");
    a.ws.close();
    await a.closed;
    b.ws.send(JSON.stringify({ type: "ack", id: "d-7" }));
    assert.equal(await sent, "d-7");
    await disconnect(b, "alice", "tab");
  });

  it("announces the client again when a late ack arrives", async () => {
    const c = await connect();
    const sent = hub.send(communication, rendition, target("d-8"));
    await c.next();
    await assert.rejects(sent, TargetUnavailableError);
    const before = available.length;
    c.ws.send(JSON.stringify({ type: "ack", id: "d-8" }));
    await until("the target available again", () => available.length > before, 2000);
    assert.deepEqual(available.slice(before), ["alice/web"]);
    await disconnect(c);
  });

  it("gives up when no ack comes in time", async () => {
    const c = await connect();
    const sent = hub.send(communication, rendition, target("d-3"));
    await c.next();
    await assert.rejects(sent, /no ack within 300 ms/);
    await disconnect(c);
  });

  it("sends to every socket of a client; the first ack wins", async () => {
    const a = await connect("alice", "phone");
    const b = await connect("alice", "phone");
    const sent = hub.send(
      communication,
      rendition,
      target("d-4", { scheme: "web", userId: "alice", clientId: "phone" }),
    );
    assert.equal((await a.next()).id, "d-4");
    assert.equal((await b.next()).id, "d-4");
    b.ws.send(JSON.stringify({ type: "ack", id: "d-4" }));
    assert.equal(await sent, "d-4");
    a.ws.close();
    await a.closed;
    assert.equal(hub.isConnected("alice", "phone"), true);
    await disconnect(b, "alice", "phone");
  });

  it("answers garbage with an error frame and keeps the connection", async () => {
    const c = await connect();
    c.ws.send("{not json");
    assert.deepEqual(await c.next(), { type: "error", message: "frame is not JSON" });
    c.ws.send(JSON.stringify({ type: "dance" }));
    const unknownType = await c.next();
    assert.equal(unknownType.type, "error");
    assert.equal(unknownType.field, "type");
    c.ws.send(
      JSON.stringify({ type: "send", to: "mailto:a@b.c", text: "x", colour: 1, requestId: "r0" }),
    );
    assert.deepEqual(await c.next(), {
      type: "error",
      requestId: "r0",
      message: "invalid frame at colour: unknown key",
      field: "colour",
    });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await c.next()).type, "error");
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    await disconnect(c);
  });

  it("closes with 1009 on a frame over 64 KiB", async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ type: "send", to: "mailto:a@b.c", text: "x".repeat(70 * 1024) }));
    assert.equal(await c.closed, 1009);
  });

  it("turns a send frame into an outbound IM communication for the gateway", async () => {
    const c = await connect();
    const before = gateway.drafts.length;
    c.ws.send(
      JSON.stringify({
        type: "send",
        to: "mailto:Bob@Example.org",
        text: "hi",
        subject: "Re: Lunch",
        requestId: "r1",
        inReplyTo: "c-1",
      }),
    );
    const reply = await c.next();
    assert.equal(reply.type, "sent");
    assert.equal(reply.requestId, "r1");
    assert.equal(typeof reply.communicationId, "string");
    assert.equal(reply.threadId, reply.communicationId);
    const draft = gateway.drafts[before]!;
    assert.equal(draft.kind, "im");
    assert.equal(draft.direction, "outbound");
    assert.equal(draft.userId, "alice");
    assert.deepEqual(draft.from, aliceWeb);
    assert.deepEqual(draft.to, { scheme: "mailto", email: "bob@example.org" });
    assert.equal(draft.subject, "Re: Lunch");
    assert.deepEqual(draft.kind === "im" ? draft.body : undefined, { text: "hi" });
    assert.deepEqual(draft.replyTo, [{ system: "omnivox", id: "c-1" }]);
    assert.deepEqual(draft.nativeRefs, [{ system: "im", id: "web:alice/web#r1" }]);

    c.ws.send(JSON.stringify({ type: "send", to: "mailto:nobody", text: "hi", requestId: "r2" }));
    const bad = await c.next();
    assert.equal(bad.type, "error");
    assert.equal(bad.requestId, "r2");
    assert.equal(bad.field, "to");
    assert.match(String(bad.message), /mailto:nobody/);
    c.ws.send(JSON.stringify({ type: "send", to: "web:bob", text: "hi", requestId: "r3" }));
    assert.equal((await c.next()).field, "to");
    // A malformed %-escape is a bad address like any other, not a failure of ours.
    c.ws.send(JSON.stringify({ type: "send", to: "mailto:%", text: "hi", requestId: "r3b" }));
    const badEscape = await c.next();
    assert.equal(badEscape.field, "to");
    assert.match(String(badEscape.message), /malformed %-escape/);
    gateway.fail = new Error("database on fire");
    c.ws.send(JSON.stringify({ type: "send", to: "tel:+15550100", text: "hi", requestId: "r4" }));
    const failed = await c.next();
    gateway.fail = undefined;
    assert.equal(failed.type, "error");
    assert.doesNotMatch(String(failed.message), /fire/);
    assert.equal(gateway.drafts.length, before + 1);
    await disconnect(c);
  });

  it("refuses voice renditions and non-web addresses as permanent failures", async () => {
    const voice = { medium: "voice" as const, audioId: "a", durationMs: 1, notes: [] };
    await assert.rejects(hub.send(communication, voice, target("d-5")), DeliveryError);
    await assert.rejects(
      hub.send(communication, rendition, target("d-6", { scheme: "xmpp", jid: "a@b" })),
      DeliveryError,
    );
  });

  it("terminates a socket that stops answering pings", async () => {
    const c = await connect();
    c.ws.pause();
    await until("the silent socket terminated", () => !hub.isConnected("alice", "web"), 2000);
    // A paused socket reads nothing, not even the end of the connection: let it see the close.
    c.ws.resume();
    assert.equal(await c.closed, 1006);
  });

  it("closes every socket with 1001 on close()", async () => {
    const c = await connect("carol");
    hub.close();
    assert.equal(await c.closed, 1001);
  });
});
