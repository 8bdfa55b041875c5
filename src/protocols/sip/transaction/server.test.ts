// INVITE and non-INVITE server transactions over the loop transport with a manual clock
// (RFC 3261 §17.2, RFC 6026): 100 Trying, absorbed retransmissions, timers G/H/I/J/L, CANCEL.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage, type SipRequest, type SipResponse } from "../message/index.ts";
import { createLoopPair, type LoopTransport } from "../transport/index.ts";
import { SipTimeoutError } from "./base.ts";
import { InviteServerState, InviteServerTransaction } from "./invite-server.ts";
import { serverKey } from "./keys.ts";
import { NonInviteServerState, NonInviteServerTransaction } from "./non-invite-server.ts";
import { TransactionTable } from "./table.ts";
import { ManualClock, resolveTimers } from "./timers.ts";

function request(method: string, cseqMethod = method): SipRequest {
  const text =
    `${method} sip:bob@127.0.0.1 SIP/2.0\r\n` +
    "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKservertest;received=127.0.0.2\r\n" +
    "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.2>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n" +
    `Call-ID: s1@127.0.0.2\r\nCSeq: 3 ${cseqMethod}\r\nContent-Length: 0\r\n\r\n`;
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request");
  return parsed.message;
}

function statusOf(buf: Buffer | undefined): number {
  assert.ok(buf);
  const parsed = parseMessage(buf);
  assert.ok(parsed.ok && parsed.message.kind === "response");
  return parsed.message.status;
}

function responseOf(buf: Buffer | undefined): SipResponse {
  assert.ok(buf);
  const parsed = parseMessage(buf);
  assert.ok(parsed.ok && parsed.message.kind === "response");
  return parsed.message;
}

function setup(method: string, reliable = false) {
  const clock = new ManualClock();
  let tags = 0;
  const ctx = {
    timers: resolveTimers({ t1: 10, t2: 40, t4: 50, trying: 200 }),
    scheduler: clock,
    userAgent: "omnivox-test",
    newTag: () => `t${++tags}`,
  };
  const [client, server] = createLoopPair({ reliable });
  const channel = { reliable, send: (buf: Buffer) => server.send(buf, client.local) };
  const req = request(method);
  const key = serverKey(req);
  assert.ok(key);
  const tx =
    method === "INVITE"
      ? new InviteServerTransaction(key, req, channel, ctx)
      : new NonInviteServerTransaction(key, req, channel, ctx);
  const errors: Error[] = [];
  tx.onError((err) => errors.push(err));
  tx.start();
  return { clock, sent: (server as LoopTransport).sent, tx, req, errors };
}

describe("INVITE server transaction", () => {
  it("sends 100 Trying when the TU stays silent for 200 ms", () => {
    const { clock, sent, tx } = setup("INVITE");
    clock.advance(199);
    assert.equal(sent.length, 0);
    clock.advance(1);
    assert.equal(sent.length, 1);
    const trying = responseOf(sent[0]);
    assert.equal(trying.status, 100);
    assert.doesNotMatch(trying.headers.get("to") ?? "", /tag=/, "no To tag on 100 (§8.2.6.2)");
    assert.equal(tx.state, InviteServerState.Proceeding);
  });

  it("sends no 100 Trying when the TU answers in time", () => {
    const { clock, sent, tx } = setup("INVITE");
    clock.advance(50);
    tx.respond(180);
    clock.advance(1000);
    assert.deepEqual(sent.map(statusOf), [180]);
    const ringing = responseOf(sent[0]);
    assert.equal(ringing.reason, "Ringing");
    assert.equal(ringing.headers.get("server"), "omnivox-test");
    assert.match(ringing.headers.get("to") ?? "", /;tag=t1$/);
  });

  it("absorbs retransmitted INVITEs, repeating the latest provisional then the final", () => {
    const { sent, tx, req } = setup("INVITE", true);
    tx.receive(req);
    assert.deepEqual(sent.map(statusOf), [100], "Trying right away when nothing was sent yet");
    tx.respond(180);
    tx.receive(req);
    tx.respond(486);
    tx.receive(req);
    assert.deepEqual(sent.map(statusOf), [100, 180, 180, 486, 486]);
    const tags = sent.slice(1).map((b) => responseOf(b).headers.get("to"));
    assert.equal(new Set(tags).size, 1, "every non-100 response carries the same To tag");
    assert.equal(tx.state, InviteServerState.Completed);
  });

  it("retransmits a non-2xx final with timer G until H, and reports the missing ACK", () => {
    const { clock, sent, tx, errors } = setup("INVITE");
    tx.respond(486);
    clock.advance(639);
    // G fires at 10, 30, 70, then every 40 ms (T2) to 630: 17 retransmissions of the 486.
    assert.equal(sent.length, 18);
    assert.equal(errors.length, 0);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated);
    assert.ok(errors[0] instanceof SipTimeoutError);
    assert.match(errors[0]!.message, /timer H/);
  });

  it("does not retransmit over a reliable transport", () => {
    const { clock, sent, tx } = setup("INVITE", true);
    tx.respond(603);
    clock.advance(639);
    assert.equal(sent.length, 1);
  });

  it("ACK → Confirmed, absorbs further ACKs, Terminated after timer I", () => {
    const { clock, sent, tx, req } = setup("INVITE");
    tx.respond(404);
    clock.advance(10);
    assert.equal(sent.length, 2);
    const ack = request("ACK");
    tx.receive(ack);
    assert.equal(tx.state, InviteServerState.Confirmed);
    tx.receive(ack);
    tx.receive(req);
    clock.advance(49);
    assert.equal(sent.length, 2, "no G retransmissions and nothing for repeats in Confirmed");
    assert.equal(tx.state, InviteServerState.Confirmed);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated);
  });

  it("has I = 0 on a reliable transport", () => {
    const { clock, tx } = setup("INVITE", true);
    tx.respond(404);
    tx.receive(request("ACK"));
    clock.advance(0);
    assert.equal(tx.state, InviteServerState.Terminated);
  });

  it("after a 2xx absorbs INVITE retransmissions, passes TU 2xx retransmissions, ends after L", () => {
    const { clock, sent, tx, req } = setup("INVITE", true);
    tx.respond(200, undefined, { body: Buffer.from("v=0\r\n"), contentType: "application/sdp" });
    assert.equal(tx.state, InviteServerState.Accepted);
    tx.receive(req);
    assert.equal(sent.length, 1);
    tx.respond(200, undefined, { body: Buffer.from("v=0\r\n"), contentType: "application/sdp" });
    tx.respond(486);
    assert.deepEqual(sent.map(statusOf), [200, 200]);
    const ok = responseOf(sent[0]);
    assert.equal(ok.headers.get("content-type"), "application/sdp");
    assert.equal(ok.body.toString(), "v=0\r\n");
    clock.advance(640);
    assert.equal(tx.state, InviteServerState.Terminated);
  });

  it("fires onCancel for a CANCEL, even for a callback registered afterwards, once", () => {
    const { tx } = setup("INVITE");
    const seen: string[] = [];
    tx.onCancel((c) => seen.push(`early ${c.method}`));
    assert.equal(tx.cancelled, false);
    tx.cancel(request("CANCEL"));
    tx.cancel(request("CANCEL"));
    tx.onCancel((c) => seen.push(`late ${c.method}`));
    assert.equal(tx.cancelled, true);
    assert.deepEqual(seen, ["early CANCEL", "late CANCEL"]);
  });

  it("refuses a status outside 100–699", () => {
    const { tx } = setup("INVITE");
    assert.throws(() => tx.respond(99), RangeError);
    assert.throws(() => tx.respond(700), RangeError);
    assert.throws(() => tx.respond(200.5), RangeError);
  });
});

describe("non-INVITE server transaction", () => {
  it("absorbs retransmissions silently in Trying, repeats the provisional, then the final", () => {
    const { sent, tx, req } = setup("OPTIONS");
    tx.receive(req);
    assert.equal(sent.length, 0);
    tx.respond(183);
    assert.equal(tx.state, NonInviteServerState.Proceeding);
    tx.receive(req);
    tx.respond(200);
    tx.receive(req);
    tx.respond(500);
    assert.deepEqual(sent.map(statusOf), [183, 183, 200, 200]);
    assert.equal(tx.state, NonInviteServerState.Completed);
  });

  it("lingers for timer J (64*T1) on UDP and ends at once on a reliable transport", () => {
    const udp = setup("OPTIONS");
    udp.tx.respond(200);
    udp.clock.advance(639);
    assert.equal(udp.tx.state, NonInviteServerState.Completed);
    udp.clock.advance(1);
    assert.equal(udp.tx.state, NonInviteServerState.Terminated);
    const tcp = setup("OPTIONS", true);
    tcp.tx.respond(200);
    tcp.clock.advance(0);
    assert.equal(tcp.tx.state, NonInviteServerState.Terminated);
  });

  it("drops a request the TU never answers after 64*T1 + T4, sending nothing", () => {
    const { clock, sent, tx } = setup("OPTIONS");
    clock.advance(689);
    assert.equal(tx.state, NonInviteServerState.Trying);
    clock.advance(1);
    assert.equal(tx.state, NonInviteServerState.Terminated);
    assert.equal(sent.length, 0);
  });
});

describe("transaction table", () => {
  it("removes a transaction when it terminates and matches ACK to its INVITE", () => {
    const table = new TransactionTable();
    const { clock, tx } = setup("OPTIONS", true);
    const invite = setup("INVITE", true);
    table.addServer(tx);
    table.addServer(invite.tx);
    assert.equal(table.size, 2);
    assert.equal(table.server(serverKey(request("ACK", "ACK"))!), invite.tx);
    assert.equal(
      table.server(serverKey(request("CANCEL"))!),
      undefined,
      "CANCEL is its own transaction",
    );
    tx.respond(200);
    clock.advance(0);
    assert.equal(table.size, 1);
    table.terminateAll("test over");
    assert.equal(table.size, 0);
    assert.equal(invite.tx.terminated, true);
  });

  it("keys requests without the magic cookie apart by Call-ID and CSeq", () => {
    const [a, again, b] = [request("OPTIONS"), request("OPTIONS"), request("OPTIONS")];
    for (const r of [a, again, b]) r.headers.set("Via", "SIP/2.0/UDP 127.0.0.2:5060;branch=old1");
    b.headers.set("CSeq", "4 OPTIONS");
    assert.notEqual(serverKey(a), serverKey(b));
    assert.equal(serverKey(a), serverKey(again), "a retransmission finds the same transaction");
  });
});

describe("refuse", () => {
  it("answers with the refusal's status, reason and headers, then the caller's", () => {
    const { sent, tx } = setup("SUBSCRIBE");
    tx.refuse(
      { status: 489, reason: "Bad Event", headers: [["Allow-Events", "message-summary"]] },
      { toTag: "x1", headers: [["Retry-After", "5"]] },
    );
    const res = responseOf(sent[0]);
    assert.equal(res.status, 489);
    assert.equal(res.reason, "Bad Event");
    assert.equal(res.headers.get("allow-events"), "message-summary");
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match(res.headers.get("to") ?? "", /tag=x1/);
  });

  it("will not send a 1xx or 2xx as a refusal", () => {
    const { sent, tx } = setup("OPTIONS");
    assert.throws(() => tx.refuse({ status: 200, reason: "OK" }), RangeError);
    assert.equal(sent.length, 0);
  });
});
