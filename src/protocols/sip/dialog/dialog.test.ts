// Route sets of RFC 3261 §12: what the UAS keeps from Record-Route (§12.1.1), what the UAC keeps
// (§12.1.2, reversed), and the Request-URI, Route headers and next hop of each in-dialog request
// for loose (§16.12) and strict (§12.2.1.1) first routes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IncomingRequest } from "../endpoint.ts";
import {
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "../message/index.ts";
import { Dialog, requestTarget } from "./dialog.ts";

function parse<T extends SipMessage>(lines: string[]): T {
  const parsed = parseMessage(Buffer.from([...lines, "Content-Length: 0", "", ""].join("\r\n")));
  assert.ok(parsed.ok, "test message must parse");
  return parsed.message as T;
}

const INVITE = [
  "INVITE sip:8500@omnivox.test SIP/2.0",
  "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-p2",
  "Via: SIP/2.0/TCP 192.0.2.50:40000;branch=z9hG4bK-c1",
  "Record-Route: <sip:192.0.2.9;r2=on;lr>",
  "Record-Route: <sip:192.0.2.9;transport=tcp;r2=on;lr>",
  "Max-Forwards: 69",
  "From: <sip:caller@example.com>;tag=c1",
  "To: <sip:8500@omnivox.test>",
  "Call-ID: call-1@caller",
  "CSeq: 10 INVITE",
  "Contact: <sip:caller@192.0.2.50:40000;transport=tcp>",
];

const incoming = (message: SipRequest): IncomingRequest =>
  ({
    message,
    source: { host: "192.0.2.9", port: 5060, transport: "udp" },
  }) as unknown as IncomingRequest;

const routes = (req: SipRequest) => req.headers.getAll("route");

describe("UAS route set (§12.1.1)", () => {
  test("is the Record-Route in order; BYE goes to the top one, to the caller's Contact", () => {
    const d = Dialog.asServer(incoming(parse(INVITE)), "us1", "sip:omnivox@198.51.100.1:5060");
    assert.deepEqual(d.state.routeSet, [
      "<sip:192.0.2.9;r2=on;lr>",
      "<sip:192.0.2.9;transport=tcp;r2=on;lr>",
    ]);
    const bye = d.request("BYE");
    assert.equal(bye.uri, "sip:caller@192.0.2.50:40000;transport=tcp");
    assert.deepEqual(routes(bye), d.state.routeSet);
    assert.deepEqual(d.state.destination, { host: "192.0.2.9", port: 5060, transport: "udp" });
  });

  test("without Record-Route, in-dialog requests go back where the request came from", () => {
    const d = Dialog.asServer(
      incoming(parse(INVITE.filter((l) => !l.startsWith("Record-Route")))),
      "us1",
      "sip:omnivox@198.51.100.1:5060",
    );
    const bye = d.request("BYE");
    assert.deepEqual(routes(bye), []);
    assert.equal(bye.uri, "sip:caller@192.0.2.50:40000;transport=tcp");
    assert.deepEqual(d.state.destination, { host: "192.0.2.9", port: 5060, transport: "udp" });
  });
});

describe("UAC route set (§12.1.2)", () => {
  const request = parse<SipRequest>([
    "INVITE sip:bob@phone.example SIP/2.0",
    "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-u1",
    "From: <sip:omnivox@omnivox.test>;tag=us2",
    "To: <sip:bob@phone.example>",
    "Call-ID: call-2@omnivox",
    "CSeq: 1 INVITE",
    "Contact: <sip:omnivox@198.51.100.1:5060>",
  ]);
  const ok = (recordRoutes: string[]) =>
    parse<SipResponse>([
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-u1",
      ...recordRoutes.map((r) => `Record-Route: ${r}`),
      "From: <sip:omnivox@omnivox.test>;tag=us2",
      "To: <sip:bob@phone.example>;tag=ph1",
      "Call-ID: call-2@omnivox",
      "CSeq: 1 INVITE",
      "Contact: <sip:bob@10.9.9.9:5062>",
    ]);
  const fallback = { host: "203.0.113.1", port: 5060, transport: "udp" } as const;

  test("is the 2xx's Record-Route reversed; ACK and BYE carry it and go to its first hop", () => {
    const d = Dialog.asClient(
      request,
      ok(["<sip:proxy-b.example:5070;lr>", "<sip:proxy-a.example:5080;transport=tcp;lr>"]),
      "sip:omnivox@198.51.100.1:5060",
      fallback,
    );
    const expected = [
      "<sip:proxy-a.example:5080;transport=tcp;lr>",
      "<sip:proxy-b.example:5070;lr>",
    ];
    assert.deepEqual(d.state.routeSet, expected);
    for (const req of [d.ack(1), d.request("BYE"), d.request("INFO"), d.request("UPDATE")]) {
      assert.equal(req.uri, "sip:bob@10.9.9.9:5062", `${req.method} Request-URI`);
      assert.deepEqual(routes(req), expected, `${req.method} Route`);
    }
    assert.deepEqual(d.state.destination, {
      host: "proxy-a.example",
      port: 5080,
      transport: "tcp",
    });
  });

  test("a strict first route becomes the Request-URI; the remote target goes last in Route", () => {
    const d = Dialog.asClient(
      request,
      ok(["<sip:proxy-b.example;lr>", "<sip:strict.example:5090;maddr=192.0.2.77>"]),
      "sip:omnivox@198.51.100.1:5060",
      fallback,
    );
    const bye = d.request("BYE");
    assert.equal(bye.uri, "sip:strict.example:5090;maddr=192.0.2.77");
    assert.deepEqual(routes(bye), ["<sip:proxy-b.example;lr>", "<sip:bob@10.9.9.9:5062>"]);
    assert.deepEqual(d.state.destination, {
      host: "strict.example",
      port: 5090,
      transport: "udp",
    });
  });

  test("without Record-Route requests go straight to the remote target", () => {
    const d = Dialog.asClient(request, ok([]), "sip:omnivox@198.51.100.1:5060", fallback);
    const bye = d.request("BYE");
    assert.deepEqual(routes(bye), []);
    assert.equal(bye.uri, "sip:bob@10.9.9.9:5062");
    assert.deepEqual(d.state.destination, { host: "10.9.9.9", port: 5062, transport: "udp" });
  });
});

describe("requestTarget", () => {
  test("a strict route loses the parameters and headers a Request-URI may not carry", () => {
    assert.deepEqual(requestTarget(["<sip:sr.example;method=INVITE;x=1?h=v>"], "sip:t@h"), {
      uri: "sip:sr.example;x=1",
      routes: ["<sip:t@h>"],
    });
  });

  test("a preloaded loose route set (a registration's Path) keeps the target", () => {
    assert.deepEqual(requestTarget(["<sip:edge.example;lr>"], "sip:bob@10.0.0.2"), {
      uri: "sip:bob@10.0.0.2",
      routes: ["<sip:edge.example;lr>"],
    });
  });
});

describe("target refresh (§12.2)", () => {
  const parseReq = (lines: string[]) => parse<SipRequest>(lines);
  const invite = parseReq([
    "INVITE sip:bob@phone.example SIP/2.0",
    "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-u9",
    "From: <sip:omnivox@omnivox.test>;tag=us9",
    "To: <sip:bob@phone.example>",
    "Call-ID: call-9@omnivox",
    "CSeq: 1 INVITE",
    "Contact: <sip:omnivox@198.51.100.1:5060>",
  ]);
  const ok = (rr: string[]) =>
    parse<SipResponse>([
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-u9",
      ...rr.map((r) => `Record-Route: ${r}`),
      "From: <sip:omnivox@omnivox.test>;tag=us9",
      "To: <sip:bob@phone.example>;tag=ph9",
      "Call-ID: call-9@omnivox",
      "CSeq: 1 INVITE",
      "Contact: <sip:bob@10.9.9.9:5062>",
    ]);
  const reinvite = parseReq([
    "INVITE sip:omnivox@198.51.100.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 10.9.9.10:5064;branch=z9hG4bK-r1",
    "From: <sip:bob@phone.example>;tag=ph9",
    "To: <sip:omnivox@omnivox.test>;tag=us9",
    "Call-ID: call-9@omnivox",
    "CSeq: 5 INVITE",
    "Contact: <sip:bob@10.9.9.10:5064>",
  ]);
  const fallback = { host: "203.0.113.1", port: 5060, transport: "udp" } as const;

  test("a re-INVITE's Contact becomes the target, and without a route set the next hop", () => {
    const d = Dialog.asClient(invite, ok([]), "sip:omnivox@198.51.100.1:5060", fallback);
    assert.equal(d.acceptRemote(reinvite), true);
    assert.equal(d.request("BYE").uri, "sip:bob@10.9.9.10:5064");
    assert.deepEqual(d.state.destination, { host: "10.9.9.10", port: 5064, transport: "udp" });
  });

  test("with a route set the next hop stays its first route", () => {
    const d = Dialog.asClient(invite, ok(["<sip:px.example;lr>"]), "sip:o@h", fallback);
    assert.equal(d.acceptRemote(reinvite), true);
    const bye = d.request("BYE");
    assert.equal(bye.uri, "sip:bob@10.9.9.10:5064");
    assert.deepEqual(routes(bye), ["<sip:px.example;lr>"]);
    assert.equal(d.state.destination.host, "px.example");
  });
});
