import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { until } from "../../../test/support/until.ts";
import type { Communication } from "../../core/communication.ts";

type Frame = Record<string, unknown>;

/** Resolves with the open socket, or rejects with the HTTP status that refused the upgrade. */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      res.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

function nextFrame(ws: WebSocket): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no frame within 2 s")), 2000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)) as Frame);
    });
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once("close", (code) => resolve(code)));
}

describe("WebSocket /api/v1/stream", () => {
  let t: TestServer;
  let alice: string;
  let ws: string;

  before(async () => {
    t = await startTestServer();
    alice = await t.userWithToken("alice");
    await t.userWithToken("bob");
    ws = `${t.base.replace("http:", "ws:")}/api/v1/stream`;
  });
  after(() => t.close());

  it("refuses a missing or bad token before the upgrade", async () => {
    await assert.rejects(open(ws), /HTTP 401/);
    await assert.rejects(open(`${ws}?token=nope`), /HTTP 401/);
    await assert.rejects(open(`${ws}?token=${alice}&user=bob`), /HTTP 403/);
    await assert.rejects(open(`${ws}?token=${ADMIN_TOKEN}`), /HTTP 400/);
    await assert.rejects(open(`${ws}?token=${ADMIN_TOKEN}&user=zed`), /HTTP 404/);
    await assert.rejects(open(`${ws}?token=${alice}&client=bad%20id`), /HTTP 400/);
    assert.equal(t.hub.isConnected("alice", "web"), false);
  });

  it("carries events down and acks up for a user token in the query", async () => {
    const socket = await open(`${ws}?token=${encodeURIComponent(alice)}&client=laptop`);
    await until(
      't.hub.isConnected("alice", "laptop")',
      () => t.hub.isConnected("alice", "laptop"),
      2000,
    );
    const communication = {
      id: "c-9",
      kind: "im",
      userId: "alice",
      direction: "inbound",
      from: { scheme: "xmpp", jid: "bob@example.org" },
      to: { scheme: "web", userId: "alice", clientId: "laptop" },
      receivedAt: new Date("2024-01-01T00:00:00Z"),
      thread: { threadId: "c-9" },
      nativeRefs: [],
      warnings: [],
      body: { text: "ping" },
    } satisfies Communication;
    const frame = nextFrame(socket);
    const sent = t.hub.send(
      communication,
      { medium: "text", subject: "", text: "ping", from: "bob@example.org", notes: [] },
      { deliveryId: "d-1", address: communication.to, attempt: 1 },
    );
    const event = await frame;
    assert.equal(event.id, "d-1");
    assert.equal(event.type, "message");
    assert.equal("subject" in event, false);
    socket.send(JSON.stringify({ type: "ack", id: "d-1" }));
    assert.equal(await sent, "d-1");

    const reply = nextFrame(socket);
    socket.send(
      JSON.stringify({ type: "send", to: "xmpp:bob@example.org", text: "pong", requestId: "q" }),
    );
    assert.equal((await reply).type, "sent");
    assert.deepEqual(t.gateway.drafts.at(-1)?.from, {
      scheme: "web",
      userId: "alice",
      clientId: "laptop",
    });
    const done = closed(socket);
    socket.close();
    await done;
    assert.ok(!t.logs.join("").includes(alice), "the token reached the log");
  });

  it("accepts the admin token in the header with ?user=", async () => {
    const socket = await open(`${ws}?user=bob`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    await until('t.hub.isConnected("bob", "web")', () => t.hub.isConnected("bob", "web"), 2000);
    const done = closed(socket);
    socket.close();
    await done;
  });

  it("closes with 1009 on an oversized frame", async () => {
    const socket = await open(`${ws}?token=${alice}`);
    const done = closed(socket);
    socket.send("x".repeat(65 * 1024));
    assert.equal(await done, 1009);
  });
});
