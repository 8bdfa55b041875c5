// The endpoint's per-source limits on real UDP sockets (docs/security.md "SIP limits"): a flood
// from one address meets 503 with Retry-After for its first excess requests and then silence,
// while another address is served; one source cannot fill the transaction table; our own client
// transactions still start when inbound traffic has taken all the room it may.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { describe, it } from "node:test";
import { SipEndpoint } from "./endpoint.ts";
import { createRequest } from "./endpoint-request.ts";
import { parseMessage } from "./message/index.ts";
import { DEFAULT_SOURCE_LIMITS, type SourceLimitOptions } from "./source-limits.ts";

function register(port: number, from: string, n: number): Buffer {
  return Buffer.from(
    [
      `REGISTER sip:127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from};branch=z9hG4bKflood${n}x${Math.random().toString(36).slice(2)};rport`,
      "Max-Forwards: 70",
      `From: <sip:flood@127.0.0.1>;tag=f${n}`,
      "To: <sip:flood@127.0.0.1>",
      `Call-ID: flood-${n}-${Math.random().toString(36).slice(2)}`,
      `CSeq: ${n + 1} REGISTER`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

async function bindAt(host: string): Promise<{ socket: Socket; statuses: number[]; at: string }> {
  const socket = createSocket("udp4");
  const statuses: number[] = [];
  socket.on("message", (buf) => {
    const parsed = parseMessage(buf);
    if (parsed.ok && parsed.message.kind === "response") statuses.push(parsed.message.status);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return { socket, statuses, at: `${host}:${socket.address().port}` };
}

const close = (s: Socket) => new Promise<void>((resolve) => s.close(() => resolve()));
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function limits(overrides: Partial<SourceLimitOptions>): SourceLimitOptions {
  return { ...DEFAULT_SOURCE_LIMITS, ...overrides };
}

describe("SipEndpoint per-source limits", () => {
  it("answers a flood's first excess requests with 503, then drops it; others are served", async () => {
    const endpoint = new SipEndpoint({
      udp: { host: "127.0.0.1", port: 0 },
      limits: {
        perSource: limits({
          rates: { ...DEFAULT_SOURCE_LIMITS.rates, register: { burst: 5, perMinute: 60 } },
          rejectFirst: 3,
        }),
      },
    });
    endpoint.onRequest((req) => req.transaction.respond(200), { methods: ["REGISTER"] });
    const { udp } = await endpoint.start();
    const port = udp!.port;
    const flood = await bindAt("127.0.0.2");
    const other = await bindAt("127.0.0.3");
    try {
      for (let i = 0; i < 300; i++)
        flood.socket.send(register(port, flood.at, i), port, "127.0.0.1");
      await settle(500);
      other.socket.send(register(port, other.at, 0), port, "127.0.0.1");
      for (let i = 0; i < 50 && other.statuses.length === 0; i++) await settle(50);
      assert.deepEqual(other.statuses, [200], "another source is served during the flood");
      const ok = flood.statuses.filter((s) => s === 200).length;
      const busy = flood.statuses.filter((s) => s === 503).length;
      assert.ok(ok >= 5 && ok <= 8, `the burst and little more is served (${ok})`);
      assert.equal(busy, 3, "exactly rejectFirst 503s, then silence");
      assert.ok(flood.statuses.length < 20, "no answer to most of the flood");
      const received = endpoint.stats.requests.REGISTER ?? 0;
      assert.ok(received > 100, `most of the flood arrived (${received})`);
      assert.equal(endpoint.stats.throttled.rate, received - ok - 1);
      assert.ok((endpoint.stats.responses["5xx"] ?? 0) === 3);
      assert.equal(endpoint.throttledSources, 1);
    } finally {
      await Promise.all([close(flood.socket), close(other.socket)]);
      await endpoint.stop();
    }
  });

  it("caps one source's live server transactions and keeps room for our own requests", async () => {
    // Nobody answers: every REGISTER stays a live server transaction.
    const endpoint = new SipEndpoint({
      udp: { host: "127.0.0.1", port: 0 },
      limits: {
        maxTransactions: 200,
        clientReserve: 0.25,
        perSource: limits({
          rates: { ...DEFAULT_SOURCE_LIMITS.rates, register: { burst: 10_000, perMinute: 60_000 } },
          transactionShare: 0.2,
          rejectFirst: 1000,
          exempt: ["127.0.0.4"],
        }),
      },
    });
    endpoint.onRequest(() => true, { methods: ["REGISTER"] });
    const { udp } = await endpoint.start();
    const port = udp!.port;
    const hog = await bindAt("127.0.0.2");
    const proxy = await bindAt("127.0.0.4");
    const phone = await bindAt("127.0.0.5");
    try {
      for (let i = 0; i < 100; i++) hog.socket.send(register(port, hog.at, i), port, "127.0.0.1");
      await settle(400);
      // 150 server slots (200 less the reserve of 50), 20 % of them for one source.
      assert.equal(endpoint.transactionCount, 30);
      assert.equal(hog.statuses.filter((s) => s === 503).length, 70);
      // A trusted proxy is exempt from the share, not from the table.
      for (let i = 0; i < 200; i++)
        proxy.socket.send(register(port, proxy.at, i), port, "127.0.0.1");
      await settle(600);
      assert.equal(endpoint.transactionCount, 150, "inbound stops at the table less the reserve");
      // Our own request still gets a client transaction: the phone answers it.
      phone.socket.on("message", (buf) => {
        const parsed = parseMessage(buf);
        if (!parsed.ok || parsed.message.kind !== "request") return;
        const req = parsed.message;
        const lines = [
          "SIP/2.0 200 OK",
          ...req.headers.getAll("via").map((v) => `Via: ${v}`),
          `From: ${req.headers.get("from")}`,
          `To: ${req.headers.get("to")};tag=p`,
          `Call-ID: ${req.headers.get("call-id")}`,
          `CSeq: ${req.headers.get("cseq")}`,
          "Content-Length: 0",
          "",
          "",
        ];
        phone.socket.send(Buffer.from(lines.join("\r\n")), port, "127.0.0.1");
      });
      const options = createRequest({
        method: "OPTIONS",
        uri: `sip:${phone.at}`,
        from: { uri: "sip:omnivox@127.0.0.1", tag: "o1" },
        to: { uri: `sip:${phone.at}` },
        callId: "own-options",
        cseq: 1,
      });
      const dest = {
        host: "127.0.0.5",
        port: phone.socket.address().port,
        transport: "udp" as const,
      };
      const res = await endpoint.sendRequest(options, dest);
      assert.equal(res.status, 200);
      assert.ok(endpoint.stats.overloaded > 0);
      assert.ok(endpoint.stats.throttled.transactions >= 70);
    } finally {
      await Promise.all([close(hog.socket), close(proxy.socket), close(phone.socket)]);
      await endpoint.stop();
    }
  });
});
