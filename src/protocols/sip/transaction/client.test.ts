// INVITE and non-INVITE client transactions over the loop transport with a manual clock
// (RFC 3261 §17.1): retransmission counts, timeouts, the generated ACK, RFC 6026 Accepted.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from "../message/index.ts";
import { createLoopPair, type LoopTransport, SipTransportError } from "../transport/index.ts";
import { SipTimeoutError } from "./base.ts";
import { InviteClientState, InviteClientTransaction } from "./invite-client.ts";
import { clientKey } from "./keys.ts";
import { NonInviteClientState, NonInviteClientTransaction } from "./non-invite-client.ts";
import { ManualClock, resolveTimers } from "./timers.ts";

const BRANCH = "z9hG4bKclienttest1";

function request(method: string): SipRequest {
  const text =
    `${method} sip:bob@127.0.0.2 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=${BRANCH};rport\r\n` +
    "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.2>\r\n" +
    `Call-ID: c1@127.0.0.1\r\nCSeq: 7 ${method}\r\nRoute: <sip:proxy.example;lr>\r\nContent-Length: 0\r\n\r\n`;
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request");
  return parsed.message;
}

function parsed(buf: Buffer | undefined) {
  assert.ok(buf, "a message was sent");
  const result = parseMessage(buf);
  assert.ok(result.ok, "the sent message parses");
  return result.message;
}

function setup(method: string, reliable = false) {
  const clock = new ManualClock();
  const ctx = { timers: resolveTimers({ t1: 10, t2: 40, t4: 50, d: 100 }), scheduler: clock };
  const [a, b] = createLoopPair({ reliable });
  const events: Array<{ kind: string; res?: SipResponse; err?: Error }> = [];
  const tu = {
    onProvisional: (res: SipResponse) => events.push({ kind: "provisional", res }),
    onFinal: (res: SipResponse) => events.push({ kind: "final", res }),
    onError: (err: Error) => events.push({ kind: "error", err }),
    onLate2xx: (res: SipResponse) => events.push({ kind: "late2xx", res }),
  };
  const channel = { reliable, send: (buf: Buffer) => a.send(buf, b.local) };
  const req = request(method);
  const key = clientKey(BRANCH, method);
  const tx =
    method === "INVITE"
      ? new InviteClientTransaction(key, req, channel, ctx, tu)
      : new NonInviteClientTransaction(key, req, channel, ctx, tu);
  return { clock, a: a as LoopTransport, events, tx, req };
}

function reply(req: SipRequest, status: number, toTag = "b9"): SipResponse {
  return buildResponse(req, status, "Test", status === 100 ? {} : { toTag });
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("INVITE client transaction", () => {
  it("retransmits with timer A doubling and times out with timer B over UDP", () => {
    const { clock, a, events, tx } = setup("INVITE");
    tx.start();
    clock.advance(639);
    // Timer A fires at 10, 30, 70, 150, 310, 630 ms: six retransmissions before B at 640 ms.
    assert.equal(a.sent.length, 7);
    assert.equal(events.length, 0);
    clock.advance(1);
    assert.equal(events.length, 1);
    assert.ok(events[0]!.err instanceof SipTimeoutError);
    assert.equal(tx.state, InviteClientState.Terminated);
    clock.advance(10_000);
    assert.equal(a.sent.length, 7, "nothing more after Terminated");
  });

  it("does not retransmit over a reliable transport", () => {
    const { clock, a, events, tx } = setup("INVITE", true);
    tx.start();
    clock.advance(640);
    assert.equal(a.sent.length, 1);
    assert.ok(events[0]?.err instanceof SipTimeoutError);
  });

  it("stops retransmitting on a provisional and reports it", () => {
    const { clock, a, events, tx, req } = setup("INVITE");
    tx.start();
    clock.advance(10);
    tx.receive(reply(req, 180));
    assert.equal(tx.state, InviteClientState.Proceeding);
    clock.advance(5000);
    assert.equal(a.sent.length, 2);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["provisional"],
      "timer B does not apply in Proceeding",
    );
  });

  it("sends its own ACK for a 4xx and again for each retransmitted 4xx, then ends after D", () => {
    const { clock, a, events, tx, req } = setup("INVITE");
    tx.start();
    const busy = reply(req, 486);
    tx.receive(busy);
    assert.equal(tx.state, InviteClientState.Completed);
    assert.equal(events[0]?.kind, "final");
    assert.equal(events[0]?.res?.status, 486);
    const ack = parsed(a.sent[1]);
    assert.equal(ack.kind, "request");
    assert.ok(ack.kind === "request");
    assert.equal(ack.method, "ACK");
    assert.equal(ack.uri, req.uri);
    assert.equal(ack.headers.get("cseq"), "7 ACK");
    assert.equal(ack.headers.get("via"), req.headers.get("via"));
    assert.match(ack.headers.get("to") ?? "", /;tag=b9$/);
    assert.equal(ack.headers.get("route"), "<sip:proxy.example;lr>");
    tx.receive(busy);
    assert.equal(a.sent.length, 3, "ACK repeated for the retransmitted 486");
    assert.equal(events.length, 1, "the TU hears about the final response once");
    clock.advance(99);
    assert.equal(tx.state, InviteClientState.Completed);
    clock.advance(1);
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.equal(a.sent.length, 3, "no timer A retransmission after the final response");
  });

  it("moves to Accepted on 2xx and hands further 2xx to the TU until timer M", () => {
    const { clock, events, tx, req } = setup("INVITE", true);
    tx.start();
    tx.receive(reply(req, 200));
    assert.equal(tx.state, InviteClientState.Accepted);
    tx.receive(reply(req, 200));
    assert.deepEqual(
      events.map((e) => e.kind),
      ["final", "late2xx"],
    );
    clock.advance(640);
    assert.equal(tx.state, InviteClientState.Terminated);
  });

  it("reports a transport failure as SipTransportError", async () => {
    const { a, events, tx } = setup("INVITE");
    a.failWith = "connection refused";
    tx.start();
    await flush();
    assert.ok(events[0]?.err instanceof SipTransportError);
    assert.match(events[0]!.err!.message, /connection refused/);
    assert.equal(tx.state, InviteClientState.Terminated);
  });
});

describe("non-INVITE client transaction", () => {
  it("retransmits with timer E capped at T2 and times out with F", () => {
    const { clock, a, events, tx } = setup("OPTIONS");
    tx.start();
    clock.advance(639);
    // E fires at 10, 30, 70 and then every 40 ms (T2) up to 630: 3 + 14 retransmissions.
    assert.equal(a.sent.length, 18);
    clock.advance(1);
    assert.ok(events[0]?.err instanceof SipTimeoutError);
    assert.match(events[0]!.err!.message, /timer F/);
    assert.equal(tx.state, NonInviteClientState.Terminated);
  });

  it("retransmits every T2 once a provisional came", () => {
    const { clock, a, events, tx, req } = setup("OPTIONS");
    tx.start();
    tx.receive(reply(req, 100));
    assert.equal(tx.state, NonInviteClientState.Proceeding);
    assert.equal(events[0]?.kind, "provisional");
    clock.advance(10);
    assert.equal(a.sent.length, 2);
    clock.advance(39);
    assert.equal(a.sent.length, 2);
    clock.advance(1);
    assert.equal(a.sent.length, 3);
    clock.advance(40);
    assert.equal(a.sent.length, 4);
  });

  it("absorbs retransmitted finals in Completed and ends after K (T4 on UDP)", () => {
    const { clock, a, events, tx, req } = setup("OPTIONS");
    tx.start();
    tx.receive(reply(req, 200));
    tx.receive(reply(req, 200));
    assert.deepEqual(
      events.map((e) => e.kind),
      ["final"],
    );
    assert.equal(tx.state, NonInviteClientState.Completed);
    clock.advance(49);
    assert.equal(tx.state, NonInviteClientState.Completed);
    clock.advance(1);
    assert.equal(tx.state, NonInviteClientState.Terminated);
    assert.equal(a.sent.length, 1);
  });

  it("has K = 0 on a reliable transport and never retransmits", () => {
    const { clock, a, tx, req } = setup("OPTIONS", true);
    tx.start();
    clock.advance(300);
    assert.equal(a.sent.length, 1);
    tx.receive(reply(req, 404));
    clock.advance(0);
    assert.equal(tx.state, NonInviteClientState.Terminated);
  });

  it("terminate() reports an error to a TU still waiting", () => {
    const { events, tx } = setup("OPTIONS");
    tx.start();
    tx.terminate("endpoint stopped");
    assert.ok(events[0]?.err instanceof SipTimeoutError);
    assert.match(events[0]!.err!.message, /endpoint stopped/);
  });
});
