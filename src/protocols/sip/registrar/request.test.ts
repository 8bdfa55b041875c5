// parseRegister and the AOR/contact normalisation behind the registrar: malformed REGISTERs
// become 400 plans (never exceptions), expiry and wildcard rules are read as §10.3 step 6 says.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage, type SipRequest } from "../message/index.ts";
import { canonicalAor, contactKey, parseRegister, type RegisterLimits } from "./request.ts";

const LIMITS: RegisterLimits = { domain: "omnivox.test" };

function register(lines: string[]): SipRequest {
  const text = [
    "REGISTER sip:omnivox.test SIP/2.0",
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-1",
    "From: <sip:alice@omnivox.test>;tag=abc",
    "To: <sip:alice@omnivox.test>",
    "Call-ID: call-1@phone",
    "CSeq: 7 REGISTER",
    ...lines,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request", "test request must parse");
  return parsed.message;
}

describe("parseRegister", () => {
  it("reads AOR, Call-ID, CSeq and contacts with defaults applied", () => {
    const plan = parseRegister(register(["Contact: <sip:a@h>, <sip:b@h>;expires=0"]), LIMITS);
    assert.deepEqual(plan, {
      ok: true,
      aor: "sip:alice@omnivox.test",
      callId: "call-1@phone",
      cseq: 7,
      wildcard: false,
      path: [],
      pathSupported: false,
      contacts: [
        { uri: "sip:a@h", key: contactKey("sip:a@h"), expires: 3600 },
        { uri: "sip:b@h", key: contactKey("sip:b@h"), expires: 0 },
      ],
    });
  });

  it("keeps the last of a contact listed twice", () => {
    const plan = parseRegister(
      register(["Contact: <sip:a@h>;expires=100, <sip:a@H>;expires=200"]),
      LIMITS,
    );
    assert.ok(plan.ok);
    assert.deepEqual(
      plan.contacts.map((c) => c.expires),
      [200],
    );
  });

  it("treats Expires: 0 with Contact: * as a wildcard removal", () => {
    const plan = parseRegister(register(["Contact: *", "Expires: 0"]), LIMITS);
    assert.ok(plan.ok);
    assert.equal(plan.wildcard, true);
  });

  it("returns 400 plans for malformed requests and never throws", () => {
    // Set after parsing: the message parser already refuses some of these on its own.
    const bad: Array<[string, string]> = [
      ["Expires", "soon"],
      ["Contact", "<sip:a@10.0.0.2>;expires=abc"],
      ["Contact", "<sip:a@10.0.0.2>;expires"],
      ["Contact", "<sip:a@10.0.0.2>;q=7"],
      ["Contact", "not a uri <>"],
      ["Contact", "<sip:a@10.0.0.2"],
      ["To", "garbage"],
      ["To", '"unterminated <sip:alice@omnivox.test>'],
    ];
    for (const [name, value] of bad) {
      const req = register(["Contact: <sip:a@10.0.0.2>"]);
      req.headers.set(name, value);
      const plan = parseRegister(req, LIMITS);
      assert.equal(plan.ok ? 200 : plan.status, 400, `${name}: ${value}`);
    }
    const statusOf = (req: SipRequest) => {
      const plan = parseRegister(req, LIMITS);
      return plan.ok ? 200 : plan.status;
    };
    const req = register(["Contact: <sip:a@10.0.0.2>"]);
    req.headers.set("CSeq", "1 INVITE");
    assert.equal(statusOf(req), 400, "CSeq method differs");
    req.headers.delete("CSeq");
    assert.equal(statusOf(req), 400, "no CSeq");
    req.headers.set("CSeq", "2 REGISTER");
    req.headers.set("Call-ID", "bad call id");
    assert.equal(statusOf(req), 400, "bad Call-ID");
    req.headers.delete("Call-ID");
    assert.equal(statusOf(req), 400, "no Call-ID");
    req.headers.set("Call-ID", "ok@x");
    req.headers.delete("To");
    assert.equal(statusOf(req), 400, "no To");
  });

  it("answers 423 below minExpires and caps above maxExpires", () => {
    const limits = { ...LIMITS, minExpires: 120, maxExpires: 600 };
    const brief = parseRegister(register(["Contact: <sip:a@h>;expires=119"]), limits);
    assert.deepEqual(brief, {
      ok: false,
      status: 423,
      reason: "Interval Too Brief",
      headers: [["Min-Expires", "120"]],
    });
    const long = parseRegister(register(["Contact: <sip:a@h>", "Expires: 601"]), limits);
    assert.ok(long.ok);
    assert.equal(long.contacts[0]?.expires, 600);
  });
});

describe("AOR and contact normalisation", () => {
  it("canonicalises AORs to sip:user@host", () => {
    assert.equal(
      canonicalAor("sips:alice@Omnivox.TEST:5061;transport=tls"),
      "sip:alice@omnivox.test",
    );
    assert.equal(canonicalAor("sip:omnivox.test"), null);
    assert.equal(canonicalAor("tel:+1555"), null);
    assert.equal(canonicalAor("::"), null);
  });

  it("compares contact hosts and parameters case-insensitively, users case-sensitively", () => {
    assert.equal(contactKey("sip:a@HOST;Transport=UDP"), contactKey("sip:a@host;transport=udp"));
    assert.notEqual(contactKey("sip:A@host"), contactKey("sip:a@host"));
    assert.notEqual(contactKey("sip:a@host:5060"), contactKey("sip:a@host"));
  });
});
