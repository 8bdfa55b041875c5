// The endpoint over the loop transport with a manual clock: CANCEL (RFC 3261 §9.2), 481, 503 on a
// full table, ACK routing, module priority, and sendRequest timeouts — all without wall time.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SipEndpoint } from "./endpoint.ts";
import { createRequest, newCallId, newTag } from "./endpoint-request.ts";
import type { IncomingAck, IncomingRequest } from "./endpoint-types.ts";
import { parseMessage, type SipMessage, type SipResponse } from "./message/index.ts";
import { SipTimeoutError } from "./transaction/base.ts";
import { ManualClock } from "./transaction/timers.ts";
import { createLoopPair, SipTransportError } from "./transport/index.ts";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function raw(method: string, branch: string, extra = "", cseqMethod = method): Buffer {
  return Buffer.from(
    `${method} sip:bob@127.0.0.1 SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.2:5060;branch=${branch};rport\r\n` +
      "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.2>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n" +
      `Call-ID: loop-${branch}@127.0.0.2\r\nCSeq: 1 ${cseqMethod}\r\n${extra}Content-Length: 0\r\n\r\n`,
  );
}

async function setup(
  options: { maxTransactions?: number; maxAnswered?: number; reliable?: boolean } = {},
) {
  const clock = new ManualClock();
  const [a, peer] = createLoopPair({ reliable: options.reliable ?? true });
  const endpoint = new SipEndpoint({
    transports: [a],
    scheduler: clock,
    timers: { t1: 10, t2: 40, t4: 50 },
    userAgent: "omnivox-test",
    limits: {
      maxTransactions: options.maxTransactions ?? 100,
      ...(options.maxAnswered !== undefined ? { maxAnswered: options.maxAnswered } : {}),
    },
  });
  await endpoint.start();
  const inbox: SipMessage[] = [];
  peer.onMessage = (buf) => {
    const parsed = parseMessage(buf);
    if (parsed.ok) inbox.push(parsed.message);
  };
  const send = async (buf: Buffer) => {
    await peer.send(buf, a.local);
    await flush();
  };
  const responses = () => inbox.filter((m): m is SipResponse => m.kind === "response");
  return { clock, endpoint, peer, send, inbox, responses };
}

describe("SipEndpoint CANCEL handling", () => {
  it("answers the CANCEL 200, tells the TU, which then ends the INVITE with 487", async () => {
    const { endpoint, send, responses } = await setup();
    let invite: IncomingRequest | undefined;
    let cancelled = 0;
    endpoint.onRequest(
      (req) => {
        invite = req;
        req.transaction.respond(180, undefined, { toTag: "callee" });
        req.transaction.onCancel(() => {
          cancelled++;
          req.transaction.respond(487);
        });
      },
      { methods: ["INVITE"] },
    );
    await send(raw("INVITE", "z9hG4bKinv1"));
    assert.ok(invite);
    await send(raw("CANCEL", "z9hG4bKinv1"));
    assert.equal(cancelled, 1);
    const got = responses().map((r) => `${r.status} ${r.headers.get("cseq")}`);
    assert.deepEqual(got, ["180 1 INVITE", "200 1 CANCEL", "487 1 INVITE"]);
    const cancelOk = responses()[1]!;
    assert.match(
      cancelOk.headers.get("to") ?? "",
      /;tag=callee$/,
      "same To tag as the INVITE's responses",
    );
    // The ACK for the 487 is absorbed by the INVITE transaction, not passed to onAck.
    const acks: IncomingAck[] = [];
    endpoint.onAck((ack) => acks.push(ack));
    await send(raw("ACK", "z9hG4bKinv1"));
    assert.equal(acks.length, 0);
    await endpoint.stop();
  });

  it("answers 481 to a CANCEL that matches no INVITE", async () => {
    const { endpoint, send, responses } = await setup();
    await send(raw("CANCEL", "z9hG4bKnothing"));
    assert.equal(responses()[0]?.status, 481);
    assert.equal(responses()[0]?.reason, "Call/Transaction Does Not Exist");
    await endpoint.stop();
  });
});

describe("SipEndpoint request dispatch", () => {
  it("offers requests to modules by priority and passes 2xx ACKs to onAck", async () => {
    const { endpoint, send, responses } = await setup();
    const order: string[] = [];
    endpoint.addModule({ name: "late", priority: 64, onRequest: () => order.push("late") > 0 });
    endpoint.addModule({
      name: "early",
      priority: 32,
      onRequest: () => order.push("early") < 0,
    });
    const acks: IncomingAck[] = [];
    endpoint.onAck((ack) => acks.push(ack));
    await send(raw("MESSAGE", "z9hG4bKm1"));
    assert.deepEqual(order, ["early", "late"]);
    assert.equal(responses().length, 0, "the module took it, so no default answer");
    await send(raw("ACK", "z9hG4bKfreshack"));
    assert.equal(acks.length, 1);
    assert.match(acks[0]!.message.headers.get("via") ?? "", /;rport=5060;received=127\.0\.0\.2/);
    await endpoint.stop();
  });

  it("answers 500 when a module throws, and keeps serving", async () => {
    const { endpoint, send, responses } = await setup();
    endpoint.onRequest(
      () => {
        throw new Error("bug in TU");
      },
      { methods: ["INFO"] },
    );
    await send(raw("INFO", "z9hG4bKi1"));
    await send(raw("OPTIONS", "z9hG4bKo1"));
    assert.deepEqual(
      responses().map((r) => r.status),
      [500, 200],
    );
    assert.deepEqual(responses()[1]!.headers.getAll("allow"), ["OPTIONS", "INFO"]);
    await endpoint.stop();
  });

  it("draining: new sessions and OPTIONS pings get 503 with Retry-After, dialogs go on", async () => {
    const { endpoint, send, responses } = await setup();
    const seen: string[] = [];
    endpoint.onRequest(
      (req) => {
        seen.push(req.message.method);
        req.transaction.respond(200);
        return true;
      },
      { methods: ["INFO"] },
    );
    await send(raw("OPTIONS", "z9hG4bKd1"));
    endpoint.drain();
    await send(raw("OPTIONS", "z9hG4bKd2"));
    await send(raw("INVITE", "z9hG4bKd3"));
    await send(raw("INFO", "z9hG4bKd4"));
    // In a dialog (a To tag): still served.
    await send(
      Buffer.from(
        raw("INFO", "z9hG4bKd5")
          .toString()
          .replace("To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b1"),
      ),
    );
    assert.deepEqual(
      responses().map((r) => r.status),
      [200, 503, 503, 503, 200],
    );
    assert.equal(responses()[1]!.headers.get("retry-after"), "5");
    assert.deepEqual(seen, ["INFO"]);
    assert.equal(endpoint.draining, true);
    await endpoint.stop();
  });

  it("answers 503 with Retry-After when the transaction table is full", async () => {
    const { endpoint, send, responses } = await setup({ maxTransactions: 1 });
    endpoint.onRequest(() => true); // holds every request unanswered
    await send(raw("OPTIONS", "z9hG4bKfull1"));
    await send(raw("OPTIONS", "z9hG4bKfull2"));
    assert.equal(responses()[0]?.status, 503);
    assert.equal(responses()[0]?.headers.get("retry-after"), "5");
    assert.equal(endpoint.stats.overloaded, 1);
    await endpoint.stop();
  });
});

describe("SipEndpoint answered transactions (unreliable transport, Timer J)", () => {
  it("a steady stream of answered requests is never refused: finished work does not fill the table", async () => {
    const { endpoint, send, responses, clock } = await setup({
      maxTransactions: 10,
      reliable: false,
    });
    endpoint.onRequest((req) => {
      req.transaction.respond(200);
      return true;
    });
    // Timer J (64·T1) keeps each one; far more of them than the table has places for work.
    for (let i = 0; i < 50; i++) await send(raw("NOTIFY", `z9hG4bKsteady${i}`));
    assert.deepEqual(
      [...new Set(responses().map((r) => r.status))],
      [200],
      "a request was refused while the others were only absorbing retransmissions",
    );
    assert.equal(endpoint.stats.overloaded, 0);
    // A retransmission of an answered one is answered again from its transaction, not passed up.
    await send(raw("NOTIFY", "z9hG4bKsteady49"));
    assert.equal(responses().length, 51);
    clock.advance(64 * 10);
    await flush();
    assert.equal(endpoint.transactionCount, 0, "Timer J ended them all");
    await endpoint.stop();
  });

  it("answered transactions are capped: past the cap the oldest is ended early", async () => {
    const { endpoint, send, responses } = await setup({
      maxTransactions: 10,
      maxAnswered: 5,
      reliable: false,
    });
    let passedUp = 0;
    endpoint.onRequest((req) => {
      passedUp++;
      req.transaction.respond(200);
      return true;
    });
    for (let i = 0; i < 20; i++) await send(raw("OPTIONS", `z9hG4bKcap${i}`));
    assert.equal(endpoint.transactionCount, 5, "more answered transactions kept than the cap");
    // The newest still absorbs its retransmission; the oldest, ended early, has to answer again.
    await send(raw("OPTIONS", "z9hG4bKcap19"));
    assert.equal(passedUp, 20);
    await send(raw("OPTIONS", "z9hG4bKcap0"));
    assert.equal(passedUp, 21);
    assert.equal(responses().length, 22);
    await endpoint.stop();
  });

  it("requests held unanswered still fill the table and get 503", async () => {
    const { endpoint, send, responses } = await setup({ maxTransactions: 5, reliable: false });
    endpoint.onRequest(() => true);
    for (let i = 0; i < 6; i++) await send(raw("OPTIONS", `z9hG4bKheld${i}`));
    assert.equal(responses().at(-1)?.status, 503);
    assert.equal(endpoint.stats.overloaded >= 1, true);
    await endpoint.stop();
  });
});

describe("SipEndpoint sendRequest over the loop", () => {
  function options() {
    const tag = newTag();
    return createRequest({
      method: "OPTIONS",
      uri: "sip:peer@127.0.0.2",
      from: { uri: "sip:omnivox@127.0.0.1", tag },
      to: { uri: "sip:peer@127.0.0.2" },
      callId: newCallId("127.0.0.1"),
      cseq: 1,
    });
  }

  it("rejects with SipTimeoutError when timer F fires", async () => {
    const { clock, endpoint, inbox } = await setup();
    const pending = endpoint.sendRequest(options(), {
      host: "127.0.0.2",
      port: 5060,
      transport: "tcp",
    });
    await flush();
    assert.equal(inbox.length, 1);
    const sent = inbox[0]!;
    assert.match(
      sent.headers.get("via") ?? "",
      /^SIP\/2\.0\/TCP 127\.0\.0\.1:5060;branch=z9hG4bK[0-9a-f]+;rport$/,
    );
    assert.equal(sent.headers.get("max-forwards"), "70");
    assert.equal(sent.headers.get("user-agent"), "omnivox-test");
    clock.advance(640);
    await assert.rejects(pending, SipTimeoutError);
    assert.equal(endpoint.transactionCount, 0);
    await endpoint.stop();
  });

  it("rejects with SipTransportError for a transport it does not run, and stop() ends pending ones", async () => {
    const { endpoint } = await setup();
    await assert.rejects(
      endpoint.sendRequest(options(), { host: "127.0.0.2", port: 5060, transport: "udp" }),
      SipTransportError,
    );
    const pending = endpoint.sendRequest(options(), {
      host: "127.0.0.2",
      port: 5060,
      transport: "tcp",
    });
    await endpoint.stop();
    await assert.rejects(pending, /endpoint stopped/);
  });

  it("hands a 2xx retransmission for an INVITE to onStrayResponse", async () => {
    const { endpoint, peer, inbox } = await setup();
    const invite = createRequest({
      method: "INVITE",
      uri: "sip:peer@127.0.0.2",
      from: { uri: "sip:omnivox@127.0.0.1", tag: "x1" },
      to: { uri: "sip:peer@127.0.0.2" },
      callId: "inv@127.0.0.1",
      cseq: 1,
    });
    const strays: number[] = [];
    endpoint.onStrayResponse((r) => strays.push(r.message.status));
    const result = endpoint.sendRequest(invite, {
      host: "127.0.0.2",
      port: 5060,
      transport: "tcp",
    });
    await flush();
    const sent = inbox[0]!;
    assert.ok(sent.kind === "request");
    const { buildResponse, serializeMessage } = await import("./message/index.ts");
    const ok = serializeMessage(buildResponse(sent, 200, "OK", { toTag: "callee" }));
    await peer.send(ok, { host: "127.0.0.1", port: 5060 });
    assert.equal((await result).status, 200);
    await peer.send(ok, { host: "127.0.0.1", port: 5060 });
    await flush();
    assert.deepEqual(strays, [200]);
    await endpoint.stop();
  });
});
