// The endpoint on real UDP sockets (RFC 3261 §18.2, RFC 3581): default OPTIONS and 501 answers,
// 400 naming the problem and routed by received/rport, dropped garbage, endpoint-to-endpoint
// transactions, many at once.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { SipEndpoint } from "./endpoint.ts";
import { createCancel, createRequest, newCallId, newTag } from "./endpoint-request.ts";
import type { IncomingRequest } from "./endpoint-types.ts";
import { parseMessage, type SipResponse } from "./message/index.ts";

function rawRequest(
  method: string,
  port: number,
  opts: { branch?: string; omit?: string } = {},
): Buffer {
  const lines = [
    `${method} sip:omnivox@127.0.0.1 SIP/2.0`,
    // A sent-by that is not where the datagram comes from: the answer must follow received/rport.
    `Via: SIP/2.0/UDP 192.0.2.9:${port + 1};branch=${opts.branch ?? `z9hG4bK${Math.random().toString(36).slice(2)}`};rport`,
    "Max-Forwards: 70",
    "From: <sip:tester@127.0.0.1>;tag=t1",
    "To: <sip:omnivox@127.0.0.1>",
    `Call-ID: ${Math.random().toString(36).slice(2)}@127.0.0.1`,
    `CSeq: 1 ${method}`,
  ].filter((l) => opts.omit === undefined || !l.startsWith(opts.omit));
  return Buffer.from(`${lines.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`);
}

class RawPeer {
  readonly socket: Socket = createSocket("udp4");
  readonly #queue: Buffer[] = [];
  #waiter: ((b: Buffer) => void) | undefined;

  async bind(): Promise<number> {
    this.socket.on("message", (buf) => {
      const w = this.#waiter;
      this.#waiter = undefined;
      if (w) w(buf);
      else this.#queue.push(buf);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, "127.0.0.1", resolve));
    return this.socket.address().port;
  }

  send(buf: Buffer, port: number): void {
    this.socket.send(buf, port, "127.0.0.1");
  }

  async nextRaw(): Promise<string> {
    const buf =
      this.#queue.shift() ?? (await new Promise<Buffer>((resolve) => (this.#waiter = resolve)));
    return buf.toString();
  }

  async next(): Promise<SipResponse> {
    const buf = Buffer.from(await this.nextRaw());
    const parsed = parseMessage(buf);
    assert.ok(parsed.ok && parsed.message.kind === "response", "got a SIP response");
    return parsed.message;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe("SipEndpoint over UDP", () => {
  let endpoint: SipEndpoint;
  let port: number;
  let peer: RawPeer;
  let peerPort: number;

  before(async () => {
    endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, userAgent: "omnivox-test" });
    const bound = await endpoint.start();
    assert.ok(bound.udp && bound.udp.port > 0);
    port = bound.udp.port;
    peer = new RawPeer();
    peerPort = await peer.bind();
  });

  after(async () => {
    await peer.close();
    await endpoint.stop();
  });

  it("answers an OPTIONS nobody handles with 200, Allow and Accept, via received/rport", async () => {
    peer.send(rawRequest("OPTIONS", peerPort), port);
    const res = await peer.next();
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getAll("allow"), ["OPTIONS"]);
    assert.equal(res.headers.get("accept"), "application/sdp");
    assert.equal(res.headers.get("server"), "omnivox-test");
    assert.match(res.headers.get("to") ?? "", /;tag=\w+/);
    const via = res.headers.get("via") ?? "";
    assert.match(via, new RegExp(`;rport=${peerPort}`));
    assert.match(via, /;received=127\.0\.0\.1/);
  });

  it("answers a request missing its Call-ID with 400 naming the problem", async () => {
    peer.send(rawRequest("OPTIONS", peerPort, { omit: "Call-ID" }), port);
    // The answer lacks a Call-ID too (there was none to copy), so read it as text.
    const res = await peer.nextRaw();
    assert.match(res, /^SIP\/2\.0 400 Bad Request \(missing Call-ID\)\r\n/);
    assert.match(res, /\r\nWarning: 399 127\.0\.0\.1 "missing Call-ID"\r\n/);
    assert.match(res, new RegExp(`\r\nVia: [^\r]*;rport=${peerPort};received=127\\.0\\.0\\.1\r\n`));
    assert.match(res, /\r\nCSeq: 1 OPTIONS\r\n/);
    assert.equal(endpoint.stats.rejected, 1);
  });

  it("answers 505 to a SIP/3.0 request", async () => {
    const req = rawRequest("OPTIONS", peerPort).toString().replace(" SIP/2.0\r\n", " SIP/3.0\r\n");
    peer.send(Buffer.from(req), port);
    const res = await peer.next();
    assert.equal(res.status, 505);
    assert.match(res.reason, /^Version Not Supported \(.+\)$/);
  });

  it("drops garbage and unanswerable input, then answers the next request", async () => {
    const before = endpoint.stats.dropped;
    peer.send(Buffer.from("\x00\x01garbage\r\n\r\n"), port);
    peer.send(rawRequest("OPTIONS", peerPort, { omit: "Via" }), port);
    peer.send(Buffer.from("SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n"), port);
    peer.send(rawRequest("OPTIONS", peerPort), port);
    const res = await peer.next();
    assert.equal(res.status, 200, "the first thing back is the answer to the good request");
    assert.equal(endpoint.stats.dropped - before, 3);
  });

  it("answers 501 with Allow to a method nobody handles", async () => {
    peer.send(rawRequest("FROBNICATE", peerPort), port);
    const res = await peer.next();
    assert.equal(res.status, 501);
    assert.equal(res.reason, "Not Implemented");
  });

  it("absorbs a retransmitted request: one answer, sent again for the repeat", async () => {
    let seen = 0;
    const off = endpoint.onRequest(
      (req) => {
        seen++;
        req.transaction.respond(202);
      },
      { methods: ["PUBLISH"] },
    );
    const req = rawRequest("PUBLISH", peerPort, { branch: "z9hG4bKretrans1" });
    peer.send(req, port);
    assert.equal((await peer.next()).status, 202);
    peer.send(req, port);
    assert.equal((await peer.next()).status, 202);
    assert.equal(seen, 1, "the TU saw the request once");
    off();
  });
});

describe("SipEndpoint to SipEndpoint over UDP", () => {
  it("runs a request/response round trip and many concurrent transactions", async () => {
    const server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
    const client = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 50 } });
    const { udp: serverAddr } = await server.start();
    await client.start();
    assert.ok(serverAddr);
    server.onRequest(
      (req) => {
        req.transaction.respond(100);
        req.transaction.respond(200, "Delivered", {
          body: Buffer.from(`echo ${req.message.body.toString()}`),
          contentType: "text/plain",
        });
      },
      { methods: ["MESSAGE"] },
    );
    const send = (i: number) => {
      const provisional: number[] = [];
      const req = createRequest({
        method: "MESSAGE",
        uri: `sip:user@127.0.0.1:${serverAddr.port}`,
        from: { uri: "sip:client@127.0.0.1", displayName: 'Client "One"', tag: newTag() },
        to: { uri: "sip:user@127.0.0.1" },
        callId: newCallId("127.0.0.1"),
        cseq: i + 1,
        body: Buffer.from(`hello ${i}`),
        contentType: "text/plain",
      });
      return client
        .sendRequest(
          req,
          { ...serverAddr, transport: "udp" },
          { onProvisional: (r) => provisional.push(r.status) },
        )
        .then((res) => ({ res, provisional }));
    };
    try {
      const { res, provisional } = await send(0);
      assert.equal(res.status, 200);
      assert.equal(res.reason, "Delivered");
      assert.equal(res.body.toString(), "echo hello 0");
      assert.deepEqual(provisional, [100]);
      const many = await Promise.all(Array.from({ length: 200 }, (_, i) => send(i + 1)));
      assert.equal(many.length, 200);
      for (const [i, { res: r }] of many.entries())
        assert.equal(r.body.toString(), `echo hello ${i + 1}`);
      assert.equal(client.stats.strayResponses, 0);
    } finally {
      await client.stop();
      await server.stop();
    }
  });
});

describe("SipEndpoint INVITE and CANCEL between endpoints over UDP", () => {
  it("cancels a ringing INVITE: 200 to the CANCEL, 487 to the INVITE, ACK absorbed", async () => {
    const server = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
    const client = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
    const { udp: addr } = await server.start();
    await client.start();
    assert.ok(addr);
    const dest = { ...addr, transport: "udp" as const };
    let serverTx: IncomingRequest["transaction"] | undefined;
    const acks: string[] = [];
    server.onAck((ack) => acks.push(ack.message.method));
    server.onRequest(
      (req) => {
        serverTx = req.transaction;
        req.transaction.respond(180);
        req.transaction.onCancel(() => req.transaction.respond(487));
      },
      { methods: ["INVITE"] },
    );
    const invite = createRequest({
      method: "INVITE",
      uri: `sip:user@127.0.0.1:${addr.port}`,
      from: { uri: "sip:caller@127.0.0.1", tag: newTag() },
      to: { uri: "sip:user@127.0.0.1" },
      callId: newCallId("127.0.0.1"),
      cseq: 1,
      contact: "sip:caller@127.0.0.1",
    });
    try {
      let cancelResult: Promise<SipResponse> | undefined;
      const final = await client.sendRequest(invite, dest, {
        onProvisional: () => {
          cancelResult ??= client.sendRequest(createCancel(invite), dest);
        },
      });
      assert.equal(final.status, 487);
      assert.ok(cancelResult);
      assert.equal((await cancelResult).status, 200);
      for (let i = 0; i < 200 && serverTx?.state !== "Confirmed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(
        serverTx?.state,
        "Confirmed",
        "the client transaction's ACK reached the INVITE transaction",
      );
      assert.deepEqual(acks, [], "an ACK for a non-2xx is not the dialog layer's business");
    } finally {
      await client.stop();
      await server.stop();
    }
  });
});
