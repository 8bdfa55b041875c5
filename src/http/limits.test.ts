// Connection limits of the HTTP listener (docs/security.md "Connection limits"): slow requests
// are timed out, one user's WebSockets are capped, and one user's sends are rate limited while
// other users are still served.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { TestServer } from "../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../test/support/http-app.ts";

type Frame = Record<string, unknown>;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Sends `head` on a raw socket, then trickles `drip` every 200 ms; resolves with what came back. */
function slowRequest(
  port: number,
  head: string,
  drip: string,
): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding("latin1");
    socket.on("connect", () => {
      socket.write(head);
      timer = setInterval(() => socket.write(drip), 200);
    });
    socket.on("data", (d: string) => {
      text += d;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ text, ms: Date.now() - started });
    });
    // A server that never gives up fails the test instead of hanging it.
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

describe("HTTP connection limits", () => {
  const throttled: string[] = [];
  let t: TestServer;
  let port: number;
  let alice: string;
  let bob: string;
  let ws: string;

  before(async () => {
    t = await startTestServer({
      config: {
        http: {
          adminToken: ADMIN_TOKEN,
          requestTimeoutMs: 1500,
          headersTimeoutMs: 1000,
          maxWebSocketsPerUser: 3,
        },
        messages: { sendBurst: 5, sendPerMinute: 60 },
      },
      deps: { onThrottle: (reason) => throttled.push(reason) },
    });
    port = Number(new URL(t.base).port);
    alice = await t.userWithToken("alice");
    bob = await t.userWithToken("bob");
    ws = `${t.base.replace("http:", "ws:")}/api/v1/stream`;
  });
  after(() => t.close());

  it("times out a request body that trickles in, and answers others meanwhile", async () => {
    const slow = slowRequest(
      port,
      "POST /api/v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n" +
        `authorization: Bearer ${alice}\r\ncontent-length: 100000\r\n\r\n{"to":"`,
      "a",
    );
    const health = await fetch(`${t.base}/healthz`);
    assert.equal(health.status, 200, "another client is served while the slow one drips");
    const { text, ms } = await slow;
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.ok(ms < 1500 + 3000, `cut after ${ms} ms`);
    assert.equal(t.gateway.drafts.length, 0);
    assert.ok(throttled.includes("request-timeout"), "counted for the metrics");
  });

  it("times out headers that trickle in", async () => {
    const { text, ms } = await slowRequest(port, "GET /healthz HTTP/1.1\r\n", "X-Slow: 1\r\n");
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.ok(ms < 1000 + 3000, `cut after ${ms} ms`);
  });

  it("refuses the N+1th WebSocket of one user with 1008 and a reason; others still connect", async () => {
    const sockets = await Promise.all(
      ["a", "b", "c"].map((c) => open(`${ws}?token=${alice}&client=${c}`)),
    );
    const extra = await open(`${ws}?token=${alice}&client=d`);
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      extra.once("close", (c, r) => resolve([c, String(r)])),
    );
    assert.equal(code, 1008);
    assert.match(reason, /too many connections for this user \(limit 3\)/);
    assert.equal(t.hub.isConnected("alice", "d"), false);
    const other = await open(`${ws}?token=${bob}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.hub.isConnected("bob", "web"), true, "another user is still served");
    // A closed socket frees its place.
    const gone = new Promise((r) => sockets[0]!.once("close", r));
    sockets[0]!.close();
    await gone;
    const again = await open(`${ws}?token=${alice}&client=e`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.hub.isConnected("alice", "e"), true);
    // Wait for the server to see them go, so the next test starts from none.
    await Promise.all(
      [...sockets.slice(1), other, again].map((s) => {
        const done = new Promise((r) => s.once("close", r));
        s.close();
        return done;
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
  });

  it("rate limits 1,000 sends from one socket; another user's send still goes through", async () => {
    const aliceWs = await open(`${ws}?token=${alice}&client=flood`);
    const replies: Frame[] = [];
    const all = new Promise<void>((resolve, reject) => {
      aliceWs.once("close", (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
      aliceWs.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === "sent" || frame.type === "error") replies.push(frame);
        if (replies.length === 1000) resolve();
      });
    });
    for (let i = 0; i < 1000; i++) {
      aliceWs.send(
        JSON.stringify({
          type: "send",
          to: "mailto:x@example.net",
          text: `m${i}`,
          requestId: `r${i}`,
        }),
      );
    }
    await all;
    const sent = replies.filter((f) => f.type === "sent");
    const limited = replies.filter((f) => f.type === "error");
    // The burst of 5, and perhaps one more refilled while the flood ran.
    assert.ok(sent.length >= 5 && sent.length <= 7, `${sent.length} sent`);
    assert.equal(sent.length + limited.length, 1000);
    assert.match(String(limited[0]?.message), /rate limited/);
    assert.ok(Number(limited[0]?.retryAfterMs) > 0);
    assert.equal(limited[0]?.requestId, "r5", "the error names the send it refuses");

    // REST shares the user's budget: 429 with Retry-After.
    const rest = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "mailto:x@example.net", text: "x" },
    });
    assert.equal(rest.status, 429);
    assert.ok(Number(rest.headers.get("retry-after")) >= 1);
    assert.equal(((await rest.json()) as Frame).error, "OMNIVOX_ERR_RATE_LIMITED");

    // Bob is not alice.
    const bobWs = await open(`${ws}?token=${bob}&client=b2`);
    const reply = new Promise<Frame>((resolve) =>
      bobWs.once("message", (d) => resolve(JSON.parse(String(d)) as Frame)),
    );
    bobWs.send(JSON.stringify({ type: "send", to: "mailto:x@example.net", text: "hi" }));
    assert.equal((await reply).type, "sent");
    const bobRest = await t.call("POST", "/api/v1/messages", {
      token: bob,
      body: { to: "mailto:x@example.net", text: "y" },
    });
    assert.equal(bobRest.status, 201);
    aliceWs.close();
    bobWs.close();
  });
});

describe("HTTP connections per source", () => {
  const throttled: string[] = [];
  let t: TestServer;
  let port: number;

  before(async () => {
    t = await startTestServer({
      config: { http: { adminToken: ADMIN_TOKEN, maxConnectionsPerSource: 3 } },
      deps: { onThrottle: (reason) => throttled.push(reason) },
    });
    port = Number(new URL(t.base).port);
  });
  after(() => t.close());

  /** A raw connection from `localAddress`; resolves once connected. */
  function hold(localAddress: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1", localAddress });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
    });
  }

  /** GET /healthz on a raw connection: the status line, or "" when the server hung up first. */
  function healthz(localAddress: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect({ port, host: "127.0.0.1", localAddress });
      let text = "";
      socket.setEncoding("latin1");
      socket.on("connect", () =>
        socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      socket.on("data", (d: string) => {
        text += d;
      });
      socket.on("error", () => {});
      socket.on("close", () => resolve(text.split("\r\n")[0] ?? ""));
    });
  }

  it("closes a source's connection over the cap unread; other sources are served", async () => {
    const held = await Promise.all([1, 2, 3].map(() => hold("127.0.0.1")));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await healthz("127.0.0.1"), "", "the fourth is closed without an answer");
    assert.deepEqual(throttled, ["per-source"]);
    assert.equal(await healthz("127.0.0.2"), "HTTP/1.1 200 OK");
    const gone = new Promise((r) => held[0]!.once("close", r));
    held[0]!.destroy();
    await gone;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await healthz("127.0.0.1"), "HTTP/1.1 200 OK", "a freed place can be used");
    for (const s of held) s.destroy();
  });
});
