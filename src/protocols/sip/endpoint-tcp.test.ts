// The endpoint on real TCP sockets (RFC 3261 §18.3, §18.2.2): pipelined requests on one
// connection, responses on the same connection, framing errors closing only that connection,
// and an endpoint-to-endpoint round trip reusing one connection.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { SipEndpoint } from "./endpoint.ts";
import { createRequest, newCallId, newTag } from "./endpoint-request.ts";
import { SipStreamFramer } from "./message/index.ts";
import { SipTransportError } from "./transport/index.ts";

function rawRequest(method: string, n: number): string {
  return (
    `${method} sip:omnivox@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKtcp${n}${Math.random().toString(36).slice(2)}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=f${n}\r\nTo: <sip:omnivox@127.0.0.1>\r\n` +
    `Call-ID: tcp${n}-${Math.random().toString(36).slice(2)}@127.0.0.1\r\nCSeq: ${n} ${method}\r\nContent-Length: 0\r\n\r\n`
  );
}

/** Reads whole SIP messages off a client socket. */
function reader(socket: Socket) {
  const framer = new SipStreamFramer();
  const messages: string[] = [];
  let waiter: (() => void) | undefined;
  let closed = false;
  socket.on("data", (chunk) => {
    for (const m of framer.push(chunk).messages) messages.push(m.toString());
    waiter?.();
  });
  socket.on("close", () => {
    closed = true;
    waiter?.();
  });
  return {
    async take(n: number): Promise<string[]> {
      while (messages.length < n && !closed) await new Promise<void>((r) => (waiter = r));
      return messages.splice(0, n);
    },
    async closed(): Promise<boolean> {
      while (!closed) await new Promise<void>((r) => (waiter = r));
      return true;
    },
  };
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  return socket;
}

describe("SipEndpoint over TCP", () => {
  let endpoint: SipEndpoint;
  let port: number;

  before(async () => {
    endpoint = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
    const bound = await endpoint.start();
    assert.ok(bound.tcp);
    port = bound.tcp.port;
  });

  after(() => endpoint.stop());

  it("answers two pipelined requests sent in one write, on the same connection", async () => {
    const socket = await open(port);
    const r = reader(socket);
    socket.write(rawRequest("OPTIONS", 1) + rawRequest("FOO", 2));
    const [first, second] = await r.take(2);
    assert.match(first ?? "", /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 1 OPTIONS/);
    assert.match(second ?? "", /^SIP\/2\.0 501 Not Implemented\r\n[\s\S]*CSeq: 2 FOO/);
    // The sent-by (192.0.2.1:5060) is unreachable; only the connection could carry these.
    assert.match(first ?? "", /received=127\.0\.0\.1/);
    socket.destroy();
  });

  it("answers a request split across writes, and a double-CRLF ping with a pong", async () => {
    const socket = await open(port);
    const r = reader(socket);
    const pongs: Buffer[] = [];
    socket.on("data", (d: Buffer) => {
      if (d.toString() === "\r\n") pongs.push(d);
    });
    const req = rawRequest("OPTIONS", 3);
    socket.write(req.slice(0, 40));
    await new Promise((resolve) => setImmediate(resolve));
    socket.write(req.slice(40));
    const [res] = await r.take(1);
    assert.match(res ?? "", /^SIP\/2\.0 200 OK/);
    socket.write("\r\n\r\n");
    while (pongs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pongs[0]?.toString(), "\r\n");
    socket.destroy();
  });

  it("closes a connection whose stream lacks Content-Length, and keeps serving others", async () => {
    const before = endpoint.stats.dropped;
    const bad = await open(port);
    const badReader = reader(bad);
    bad.write(rawRequest("OPTIONS", 4).replace("Content-Length: 0\r\n", ""));
    assert.equal(await badReader.closed(), true);
    assert.equal(endpoint.stats.dropped - before, 1);
    const good = await open(port);
    const r = reader(good);
    good.write(rawRequest("OPTIONS", 5));
    assert.match((await r.take(1))[0] ?? "", /^SIP\/2\.0 200 OK/);
    good.destroy();
  });
});

describe("SipEndpoint to SipEndpoint over TCP", () => {
  it("runs round trips over one reused connection and reports a refused connection", async () => {
    const server = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
    const client = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
    const { tcp: addr } = await server.start();
    await client.start();
    assert.ok(addr);
    const peers = new Set<string>();
    server.onRequest(
      (req) => {
        peers.add(`${req.source.host}:${req.source.port}`);
        req.transaction.respond(200);
      },
      { methods: ["INFO"] },
    );
    const info = (cseq: number) =>
      createRequest({
        method: "INFO",
        uri: `sip:user@127.0.0.1:${addr.port};transport=tcp`,
        from: { uri: "sip:client@127.0.0.1", tag: newTag() },
        to: { uri: "sip:user@127.0.0.1" },
        callId: newCallId("127.0.0.1"),
        cseq,
      });
    try {
      const results = await Promise.all(
        [1, 2, 3].map((n) => client.sendRequest(info(n), { ...addr, transport: "tcp" })),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200, 200],
      );
      assert.equal(peers.size, 1, "all three requests came over one connection");
      const { tcp: closedAddr } = await (async () => {
        const probe = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
        const bound = await probe.start();
        await probe.stop();
        return bound;
      })();
      assert.ok(closedAddr);
      await assert.rejects(
        client.sendRequest(info(4), { ...closedAddr, transport: "tcp" }),
        SipTransportError,
      );
    } finally {
      await client.stop();
      await server.stop();
    }
  });
});
