// The transports on their own (RFC 3261 §18): UDP datagrams both ways with oversize drop, TCP
// connection reuse, the connection limit, idle close, and the loop pair's injected failures.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { createLoopPair } from "./loop.ts";
import { TcpTransport } from "./tcp.ts";
import { type MessageSource, SipTransportError } from "./types.ts";
import { UdpTransport } from "./udp.ts";

const MSG = Buffer.from("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n");

function nextMessage(t: { onMessage: ((b: Buffer, s: MessageSource) => void) | undefined }) {
  return new Promise<{ buf: Buffer; source: MessageSource }>((resolve) => {
    t.onMessage = (buf, source) => resolve({ buf, source });
  });
}

describe("UdpTransport", () => {
  it("binds port 0, exchanges datagrams and drops oversized ones", async () => {
    const a = new UdpTransport({ host: "127.0.0.1", port: 0, maxMessageBytes: 200 });
    const b = new UdpTransport({ host: "127.0.0.1", port: 0 });
    const [la, lb] = [await a.listen(), await b.listen()];
    assert.ok(la.port > 0 && lb.port > 0);
    try {
      const got = nextMessage(b);
      await a.send(MSG, lb);
      const { buf, source } = await got;
      assert.deepEqual(buf, MSG);
      assert.deepEqual(source, { host: "127.0.0.1", port: la.port, transport: "udp" });
      const dropped = new Promise<string>((resolve) => {
        a.onDrop = (reason) => resolve(reason);
      });
      await b.send(Buffer.alloc(300, 65), la);
      assert.equal(await dropped, "datagram too large");
      await assert.rejects(a.send(MSG, { host: "127.0.0.1", port: 70000 }), SipTransportError);
    } finally {
      await a.close();
      await b.close();
    }
    await assert.rejects(a.send(MSG, lb), /not listening/);
  });

  it("reports a bind failure as SipTransportError", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    const taken = new UdpTransport({ host: "127.0.0.1", port: sock.address().port });
    await assert.rejects(taken.listen(), SipTransportError);
    await new Promise<void>((resolve) => sock.close(() => resolve()));
  });
});

describe("TcpTransport", () => {
  it("reuses one connection per peer in both directions", async () => {
    const server = new TcpTransport({ host: "127.0.0.1", port: 0 });
    const client = new TcpTransport({ host: "127.0.0.1", port: 0 });
    const ls = await server.listen();
    await client.listen();
    try {
      const first = nextMessage(server);
      await Promise.all([client.send(MSG, ls), client.send(MSG, ls)]);
      const { source } = await first;
      assert.equal(client.connectionCount, 1, "concurrent sends share one connect");
      assert.equal(server.isConnected(source), true);
      const back = nextMessage(client);
      await server.send(MSG, source);
      const { source: from } = await back;
      assert.deepEqual(from, { host: "127.0.0.1", port: ls.port, transport: "tcp" });
      assert.equal(server.connectionCount, 1);
    } finally {
      await client.close();
      await server.close();
    }
    await assert.rejects(client.send(MSG, ls), /closed/);
  });

  it("refuses connections beyond the limit and closes idle ones", async () => {
    const server = new TcpTransport({
      host: "127.0.0.1",
      port: 0,
      maxConnections: 1,
      idleTimeoutMs: 30,
    });
    const ls = await server.listen();
    const drops: string[] = [];
    server.onDrop = (reason) => drops.push(reason);
    const closed = (s: ReturnType<typeof connect>) =>
      new Promise<void>((resolve) => s.once("close", () => resolve()));
    try {
      const one = connect(ls.port, "127.0.0.1");
      await new Promise((resolve) => one.once("connect", resolve));
      const got = nextMessage(server);
      one.write(MSG);
      await got; // the server has registered the first connection
      const two = connect(ls.port, "127.0.0.1");
      await closed(two);
      assert.deepEqual(drops, ["too many TCP connections"]);
      await closed(one); // idle timeout
      while (server.connectionCount > 0) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(server.isConnected({ host: "127.0.0.1", port: one.localPort ?? 0 }), false);
    } finally {
      await server.close();
    }
  });
});

describe("LoopTransport", () => {
  it("delivers asynchronously, logs sends, and can lose or fail them", async () => {
    const [a, b] = createLoopPair();
    const seen: Buffer[] = [];
    b.onMessage = (buf) => seen.push(buf);
    const sending = a.send(MSG, b.local);
    assert.equal(seen.length, 0, "not delivered synchronously");
    await sending;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.length, 1);
    a.deliver = () => false;
    await a.send(MSG, b.local);
    a.failWith = "link down";
    await assert.rejects(a.send(MSG, b.local), /link down/);
    await assert.rejects(b.send(MSG, { host: "10.9.9.9", port: 1 }), SipTransportError);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.length, 1);
    assert.equal(a.sent.length, 3);
  });
});
