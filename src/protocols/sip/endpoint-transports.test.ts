// The endpoint over TLS and with several transports (RFC 3261 §18, §26.3.1): responses on the
// request's TLS connection, our Contact per transport and port (transport=tcp/tls, sips:), one
// common UDP/TCP port for port 0, and a request to a registered phone over its flow (RFC 5626).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ConnectionOptions, connect, type TLSSocket } from "node:tls";
import type { HostPort } from "../../core/host-port.ts";
import { createSelfSigned } from "../tls/self-signed.ts";
import { bindCommonPort, SipEndpoint } from "./endpoint.ts";
import { createRequest, newCallId, newTag } from "./endpoint-request.ts";
import { SipStreamFramer } from "./message/index.ts";
import { bindingDestination, Registrar } from "./registrar/index.ts";
import type { Transport } from "./transport/index.ts";

const pem = createSelfSigned({ names: ["127.0.0.1"] });

function invite(uri: string, viaTransport: string, n: number): string {
  return (
    `INVITE ${uri} SIP/2.0\r\n` +
    `Via: SIP/2.0/${viaTransport} 192.0.2.1:5999;branch=z9hG4bKtls${n}${Math.random().toString(36).slice(2)};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=f${n}\r\nTo: <${uri}>\r\n` +
    `Contact: <sip:t@192.0.2.1:5999;transport=tls>\r\n` +
    `Call-ID: tls${n}-${Math.random().toString(36).slice(2)}@127.0.0.1\r\nCSeq: ${n} INVITE\r\nContent-Length: 0\r\n\r\n`
  );
}

async function openTls(port: number, extra: ConnectionOptions = {}): Promise<TLSSocket> {
  const socket = connect({ host: "127.0.0.1", port, ca: pem.cert, ...extra });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

function take(socket: TLSSocket, n: number): Promise<string[]> {
  const framer = new SipStreamFramer();
  const got: string[] = [];
  return new Promise((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      for (const m of framer.push(chunk).messages) got.push(m.toString());
      if (got.length >= n) resolve(got);
    });
  });
}

describe("SipEndpoint with UDP, TCP and TLS", () => {
  let endpoint: SipEndpoint;
  let bound: Awaited<ReturnType<SipEndpoint["start"]>>;

  before(async () => {
    endpoint = new SipEndpoint({
      udp: { host: "127.0.0.1", port: 0 },
      tcp: { host: "127.0.0.1", port: 0 },
      tls: { host: "127.0.0.1", port: 0, cert: pem.cert, key: pem.key },
    });
    bound = await endpoint.start();
    endpoint.onRequest(
      (req) => {
        req.transaction.respond(486, "Busy Here", {
          headers: [["Contact", `<${endpoint.contactForRequest(req)}>`]],
        });
      },
      { methods: ["INVITE"] },
    );
  });

  after(() => endpoint.stop());

  it("binds UDP and TCP on one port with port 0, TLS on its own", () => {
    assert.ok(bound.udp && bound.tcp && bound.tls);
    assert.equal(bound.udp.port, bound.tcp.port);
    assert.notEqual(bound.tls.port, bound.udp.port);
  });

  it("names each transport and its listener's port in contactFor", () => {
    const { udp, tls } = bound;
    assert.equal(endpoint.contactFor("udp"), `sip:omnivox@127.0.0.1:${udp!.port}`);
    assert.equal(endpoint.contactFor("tcp"), `sip:omnivox@127.0.0.1:${udp!.port};transport=tcp`);
    assert.equal(endpoint.contactFor("tls"), `sip:omnivox@127.0.0.1:${tls!.port};transport=tls`);
    assert.equal(
      endpoint.contactFor("tls", { secure: true, user: "mwi" }),
      `sips:mwi@127.0.0.1:${tls!.port}`,
    );
  });

  it("answers over TLS on the request's connection, pipelined, with a TLS Contact", async () => {
    const socket = await openTls(bound.tls!.port);
    const responses = take(socket, 2);
    // Two requests in one write, the second split across two more.
    const second = invite("sips:1001@127.0.0.1", "TLS", 2);
    socket.write(invite("sip:1001@127.0.0.1", "TLS", 1) + second.slice(0, 30));
    await new Promise((r) => setTimeout(r, 20));
    socket.write(second.slice(30));
    const [plain, sips] = await responses;
    // The Via's sent-by (192.0.2.1:5999) is unreachable: only the connection carried these.
    assert.match(plain ?? "", /^SIP\/2\.0 486 Busy Here/);
    assert.match(plain ?? "", /received=127\.0\.0\.1/);
    assert.match(
      plain ?? "",
      new RegExp(`Contact: <sip:omnivox@127\\.0\\.0\\.1:${bound.tls!.port};transport=tls>`),
    );
    assert.match(
      sips ?? "",
      new RegExp(`Contact: <sips:omnivox@127\\.0\\.0\\.1:${bound.tls!.port}>`),
    );
    socket.destroy();
  });

  it("drops a client that speaks plain text to the TLS port and keeps serving", async () => {
    const before = endpoint.stats.dropped;
    const { connect: plainConnect } = await import("node:net");
    const raw = plainConnect(bound.tls!.port, "127.0.0.1");
    raw.on("error", () => {});
    raw.write(invite("sip:1001@127.0.0.1", "TCP", 3));
    await new Promise<void>((resolve) => raw.once("close", () => resolve()));
    for (let i = 0; i < 100 && endpoint.stats.dropped === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(endpoint.stats.dropped > before, "the failed handshake is counted");
    const socket = await openTls(bound.tls!.port);
    const responses = take(socket, 1);
    socket.write(invite("sip:1001@127.0.0.1", "TLS", 4));
    assert.match((await responses)[0] ?? "", /^SIP\/2\.0 486/);
    socket.destroy();
  });
});

describe("SipEndpoint to SipEndpoint over TLS", () => {
  it("verifies the server's certificate and reuses the flow a phone registered on", async () => {
    const server = new SipEndpoint({
      tls: { host: "127.0.0.1", port: 0, cert: pem.cert, key: pem.key },
    });
    const phoneCert = createSelfSigned({ names: ["127.0.0.1"] });
    // The phone's own TLS listener exists, but a request to the binding must not need it.
    const phone = new SipEndpoint({
      tls: { host: "127.0.0.1", port: 0, ...phoneCert, ca: pem.cert },
    });
    const { tls: addr } = await server.start();
    const { tls: phoneAddr } = await phone.start();
    assert.ok(addr && phoneAddr);
    const registrar = new Registrar({ aorOwner: () => "alice" });
    server.onRequest(
      (req) => {
        const r = registrar.handleRegister(req.message, "alice", {
          domain: "127.0.0.1",
          source: {
            ...req.source,
            transport: req.source.transport.toUpperCase(),
            sentBy: /TLS ([^;]+)/.exec(req.message.headers.get("via") ?? "")?.[1] ?? "",
          },
        });
        req.transaction.respond(r.status, r.reason, { headers: r.headers });
      },
      { methods: ["REGISTER"] },
    );
    const options: string[] = [];
    phone.onRequest(
      (req) => {
        options.push(`${req.source.transport} ${req.source.port}`);
        req.transaction.respond(200);
      },
      { methods: ["OPTIONS"] },
    );
    try {
      const register = createRequest({
        method: "REGISTER",
        uri: "sip:127.0.0.1",
        from: { uri: "sip:alice@127.0.0.1", tag: newTag() },
        to: { uri: "sip:alice@127.0.0.1" },
        callId: newCallId("127.0.0.1"),
        cseq: 1,
        // The phone's own listener (its Via names it too), which the server need not dial.
        contact: `sip:alice@127.0.0.1:${phoneAddr.port};transport=tls`,
      });
      const res = await phone.sendRequest(register, { ...addr, transport: "tls" });
      assert.equal(res.status, 200);
      const [b] = registrar.bindings("sip:alice@127.0.0.1");
      assert.ok(b);
      const dest = bindingDestination(b, (d) => server.isConnected(d));
      assert.equal(dest?.transport, "tls");
      assert.notEqual(dest?.port, phoneAddr.port, "the flow, not the Contact");
      const ping = createRequest({
        method: "OPTIONS",
        uri: b.contact,
        from: { uri: "sip:omnivox@127.0.0.1", tag: newTag() },
        to: { uri: b.aor },
        callId: newCallId("127.0.0.1"),
        cseq: 1,
      });
      assert.equal((await server.sendRequest(ping, dest!)).status, 200);
      assert.equal(options.length, 1);
      // It came over the connection the phone opened to the server's listener.
      assert.equal(options[0], `tls ${addr.port}`);
    } finally {
      await phone.stop();
      await server.stop();
    }
  });

  it("refuses a server whose certificate it does not trust", async () => {
    const server = new SipEndpoint({ tls: { host: "127.0.0.1", port: 0, ...pem } });
    const stranger = createSelfSigned({ names: ["127.0.0.1"] });
    const client = new SipEndpoint({
      tls: { host: "127.0.0.1", port: 0, ...stranger, ca: stranger.cert },
    });
    const { tls: addr } = await server.start();
    await client.start();
    try {
      const req = createRequest({
        method: "OPTIONS",
        uri: `sip:x@127.0.0.1:${addr!.port};transport=tls`,
        from: { uri: "sip:c@127.0.0.1", tag: newTag() },
        to: { uri: "sip:x@127.0.0.1" },
        callId: newCallId("127.0.0.1"),
        cseq: 1,
      });
      await assert.rejects(client.sendRequest(req, { ...addr!, transport: "tls" }), /TLS connect/);
    } finally {
      await client.stop();
      await server.stop();
    }
  });
});

describe("bindCommonPort", () => {
  /** A transport whose listen() hands out the given ports, failing where told. */
  function fake(
    kind: "udp" | "tcp",
    ports: number[],
    busy: Set<number>,
  ): Transport & { calls: number[] } {
    const calls: number[] = [];
    let local: HostPort = { host: "127.0.0.1", port: 0 };
    return {
      kind,
      reliable: kind === "tcp",
      calls,
      get local() {
        return local;
      },
      onMessage: undefined,
      onDrop: undefined,
      async listen(port?: number) {
        const p = port === 0 || port === undefined ? (ports.shift() ?? 0) : port;
        calls.push(p);
        if (busy.has(p)) {
          const cause = Object.assign(
            new Error(`listen EADDRINUSE: address already in use :${p}`),
            {
              code: "EADDRINUSE",
            },
          );
          throw Object.assign(new Error(`cannot listen on ${p}`), { cause });
        }
        local = { host: "127.0.0.1", port: p };
        return local;
      },
      async send() {},
      isConnected: () => false,
      async close() {},
    };
  }

  it("tries again on a new port when another process holds the UDP port for TCP", async () => {
    const udp = fake("udp", [40000, 40002], new Set());
    const tcp = fake("tcp", [], new Set([40000]));
    const bound = await bindCommonPort(udp, tcp);
    assert.deepEqual(bound, {
      udp: { host: "127.0.0.1", port: 40002 },
      tcp: { host: "127.0.0.1", port: 40002 },
    });
    assert.deepEqual(tcp.calls, [40000, 40002]);
  });

  it("gives up on errors other than a port in use, and after its attempts", async () => {
    const tcpDown = fake("tcp", [], new Set());
    tcpDown.listen = async () => {
      throw new Error("EACCES");
    };
    await assert.rejects(bindCommonPort(fake("udp", [1], new Set()), tcpDown), /EACCES/);
    const always = new Set([1, 2, 3]);
    await assert.rejects(
      bindCommonPort(fake("udp", [1, 2, 3], new Set()), fake("tcp", [], always), 3),
      /cannot listen/,
    );
  });
});
