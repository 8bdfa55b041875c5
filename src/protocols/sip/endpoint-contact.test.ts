// Our Contact per transport (RFC 3261 §8.1.1.8, §12.1.1, §26.2): the transport parameter and the
// listener's port, sips: when the request asks for SIPS.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contactUri, wantsSips } from "./endpoint-contact.ts";
import { parseMessage, type SipRequest } from "./message/index.ts";

function request(uri: string, extra = ""): SipRequest {
  const text =
    `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bKx\r\n` +
    `From: <sip:a@example.com>;tag=1\r\nTo: <${uri}>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n` +
    `Max-Forwards: 70\r\n${extra}Content-Length: 0\r\n\r\n`;
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request");
  return parsed.message as SipRequest;
}

describe("contactUri", () => {
  const at = { host: "192.0.2.10", port: 5080 };

  it("names the transport and the port of its listener", () => {
    assert.equal(contactUri("udp", at), "sip:omnivox@192.0.2.10:5080");
    assert.equal(contactUri("tcp", at), "sip:omnivox@192.0.2.10:5080;transport=tcp");
    assert.equal(contactUri("tls", at), "sip:omnivox@192.0.2.10:5080;transport=tls");
    assert.equal(contactUri("tls", at, { secure: true }), "sips:omnivox@192.0.2.10:5080");
  });

  it("brackets IPv6 and escapes the user part", () => {
    assert.equal(
      contactUri("tcp", { host: "2001:db8::1", port: 5060 }, { user: "a b" }),
      "sip:a%20b@[2001:db8::1]:5060;transport=tcp",
    );
  });
});

describe("wantsSips", () => {
  it("is true for a sips: Request-URI, top Record-Route or (without one) Contact", () => {
    assert.equal(wantsSips(request("sips:1001@vm.example")), true);
    assert.equal(wantsSips(request("sip:1001@vm.example")), false);
    assert.equal(
      wantsSips(
        request("sip:1001@vm.example", "Record-Route: <sips:p1.example;lr>, <sip:p2;lr>\r\n"),
      ),
      true,
    );
    assert.equal(
      wantsSips(
        request(
          "sip:1001@vm.example",
          "Record-Route: <sip:p1.example;lr>\r\nContact: <sips:a@h>\r\n",
        ),
      ),
      false,
      "the Record-Route decides when there is one",
    );
    assert.equal(
      wantsSips(request("sip:1001@vm.example", "Contact: <sips:a@192.0.2.1>\r\n")),
      true,
    );
  });
});
