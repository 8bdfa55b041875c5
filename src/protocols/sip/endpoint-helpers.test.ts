// Request builders and Via handling (RFC 3261 §8.1.1, §9.1, §18.2.1–2, RFC 3581 §4).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCancel, createRequest, newBranch, newCallId, newTag } from "./endpoint-request.ts";
import { responseDestination, stampVia, viaDestination } from "./endpoint-via.ts";
import { parseMessage, parseVia, SipHeaders, serializeMessage } from "./message/index.ts";

function viaHeaders(value: string): SipHeaders {
  return new SipHeaders().add("Via", value).add("Via", "SIP/2.0/UDP proxy.example;branch=z9hG4bKp");
}

describe("stampVia", () => {
  it("adds received when sent-by differs and fills rport", () => {
    const h = viaHeaders("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa;rport");
    const via = stampVia(h, { host: "198.51.100.7", port: 40000 });
    assert.equal(
      h.get("via"),
      "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa;rport=40000;received=198.51.100.7",
    );
    assert.deepEqual(via && viaDestination(via), { host: "198.51.100.7", port: 40000 });
    assert.equal(
      h.getAll("via")[1],
      "SIP/2.0/UDP proxy.example;branch=z9hG4bKp",
      "only the top Via",
    );
  });

  it("adds received even when equal if rport was asked for, and nothing otherwise", () => {
    const asked = viaHeaders("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKb");
    stampVia(asked, { host: "10.0.0.1", port: 5060 });
    assert.equal(
      asked.get("via"),
      "SIP/2.0/UDP 10.0.0.1:5060;rport=5060;branch=z9hG4bKb;received=10.0.0.1",
    );
    const plain = viaHeaders("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc");
    stampVia(plain, { host: "10.0.0.1", port: 6000 });
    assert.equal(plain.get("via"), "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc");
    const v6 = viaHeaders("SIP/2.0/UDP [::1]:5060;branch=z9hG4bKd");
    stampVia(v6, { host: "::1", port: 5060 });
    assert.equal(v6.get("via"), "SIP/2.0/UDP [::1]:5060;branch=z9hG4bKd");
  });

  it("returns null for a Via that does not parse", () => {
    assert.equal(stampVia(viaHeaders("garbage"), { host: "10.0.0.1", port: 1 }), null);
    assert.equal(stampVia(new SipHeaders(), { host: "10.0.0.1", port: 1 }), null);
  });

  it("routes responses per §18.2.2: the connection, else received and sent-by port", () => {
    const via = parseVia("SIP/2.0/TCP host.example:5070;branch=z9hG4bKe;received=192.0.2.4");
    assert.ok(via);
    const source = { host: "192.0.2.4", port: 51000, transport: "tcp" as const };
    assert.deepEqual(
      responseDestination(via, source, () => true),
      { host: "192.0.2.4", port: 51000 },
    );
    assert.deepEqual(
      responseDestination(via, source, () => false),
      { host: "192.0.2.4", port: 5070 },
    );
    const bare = parseVia("SIP/2.0/UDP host.example;branch=z9hG4bKf");
    assert.ok(bare);
    assert.deepEqual(viaDestination(bare), { host: "host.example", port: 5060 });
  });

  it("over a stream whose connection is gone, ignores rport (a closed source port); TLS defaults to 5061", () => {
    const via = parseVia(
      "SIP/2.0/TLS phone.example;branch=z9hG4bKg;rport=53000;received=198.51.100.9",
    );
    assert.ok(via);
    const source = { host: "198.51.100.9", port: 53000, transport: "tls" as const };
    assert.deepEqual(
      responseDestination(via, source, () => true),
      { host: "198.51.100.9", port: 53000 },
      "the open TLS connection",
    );
    assert.deepEqual(
      responseDestination(via, source, () => false),
      { host: "198.51.100.9", port: 5061 },
    );
  });

  it("answers UDP at received:rport (RFC 3581 §4) whatever a connection table says", () => {
    const h = viaHeaders("SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKh;rport");
    const via = stampVia(h, { host: "203.0.113.5", port: 61000 });
    assert.ok(via);
    const source = { host: "203.0.113.5", port: 61000, transport: "udp" as const };
    assert.deepEqual(
      responseDestination(via, source, () => true),
      { host: "203.0.113.5", port: 61000 },
    );
  });
});

describe("request helpers", () => {
  it("makes unique tags, Call-IDs and cookie-prefixed branches", () => {
    assert.notEqual(newTag(), newTag());
    assert.match(newCallId("example.com"), /^[0-9a-f]{24}@example\.com$/);
    assert.match(newBranch(), /^z9hG4bK[0-9a-f]{20}$/);
  });

  it("builds a request that parses back, quoting the display name", () => {
    const req = createRequest({
      method: "MESSAGE",
      uri: "sip:bob@example.com",
      from: { uri: "sip:alice@example.com", displayName: 'Al "the" \\ice', tag: "f1" },
      to: { uri: "sip:bob@example.com", tag: "t1" },
      callId: "c@example.com",
      cseq: 5,
      contact: "sip:alice@192.0.2.1",
      headers: [["Subject", "hi"]],
      body: Buffer.from("hello"),
      contentType: "text/plain",
    });
    req.headers.prepend("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx");
    const parsed = parseMessage(serializeMessage(req));
    assert.ok(parsed.ok && parsed.message.kind === "request");
    const m = parsed.message;
    assert.equal(m.headers.get("from"), '"Al \\"the\\" \\\\ice" <sip:alice@example.com>;tag=f1');
    assert.equal(m.headers.get("to"), "<sip:bob@example.com>;tag=t1");
    assert.equal(m.headers.get("cseq"), "5 MESSAGE");
    assert.equal(m.headers.get("content-type"), "text/plain");
    assert.equal(m.headers.get("contact"), "<sip:alice@192.0.2.1>");
    assert.equal(m.body.toString(), "hello");
  });

  it("refuses a bad method or CSeq", () => {
    const base = {
      uri: "sip:b@x",
      from: { uri: "sip:a@x", tag: "1" },
      to: { uri: "sip:b@x" },
      callId: "c",
    };
    assert.throws(() => createRequest({ ...base, method: "BAD METHOD", cseq: 1 }), TypeError);
    assert.throws(() => createRequest({ ...base, method: "OPTIONS", cseq: 2 ** 31 }), TypeError);
    assert.throws(() => createRequest({ ...base, method: "OPTIONS", cseq: -1 }), TypeError);
  });

  it("builds a CANCEL with the INVITE's Via, CSeq number and Route, and needs a sent INVITE", () => {
    const invite = createRequest({
      method: "INVITE",
      uri: "sip:b@x",
      from: { uri: "sip:a@x", tag: "1" },
      to: { uri: "sip:b@x" },
      callId: "c",
      cseq: 9,
      headers: [["Route", "<sip:p@x;lr>"]],
    });
    assert.throws(() => createCancel(invite), TypeError);
    invite.headers.prepend("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKinv;rport");
    const cancel = createCancel(invite);
    assert.equal(cancel.method, "CANCEL");
    assert.equal(cancel.uri, "sip:b@x");
    assert.equal(cancel.headers.get("via"), "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKinv;rport");
    assert.equal(cancel.headers.get("cseq"), "9 CANCEL");
    assert.equal(cancel.headers.get("route"), "<sip:p@x;lr>");
  });
});
