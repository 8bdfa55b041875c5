// Registrar (RFC 3261 §10.3): authorization of the AOR, expiry rules, wildcard removal,
// Call-ID/CSeq ordering, all-or-nothing commits, change events and sweeping.

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { parseMessage, type SipRequest } from "../message/index.ts";
import type { BindingEvent } from "./bindings.ts";
import { type RegisterOptions, Registrar } from "./registrar.ts";

const DOMAIN = "omnivox.test";
const OPTS: RegisterOptions = {
  domain: DOMAIN,
  minExpires: 60,
  maxExpires: 3600,
  defaultExpires: 3600,
  source: { host: "198.51.100.7", port: 40612, transport: "UDP" },
};
const OWNERS: Record<string, string> = {
  "sip:alice@omnivox.test": "u-alice",
  "sip:bob@omnivox.test": "u-bob",
};

function register(
  lines: string[],
  { to = "<sip:alice@omnivox.test>", callId = "call-1@phone", cseq = 1 } = {},
): SipRequest {
  const text = [
    `REGISTER sip:${DOMAIN} SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-1",
    "Max-Forwards: 70",
    `From: <sip:alice@${DOMAIN}>;tag=abc`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    ...lines,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok, "test request must parse");
  assert.equal(parsed.message.kind, "request");
  return parsed.message as SipRequest;
}

const contacts = (headers: Array<[string, string]>) =>
  headers.filter(([n]) => n === "Contact").map(([, v]) => v);

describe("Registrar", () => {
  let now: number;
  let registrar: Registrar;
  let events: BindingEvent[];

  beforeEach(() => {
    now = 1_700_000_000_000;
    registrar = new Registrar({ aorOwner: (aor) => OWNERS[aor], now: () => now });
    events = [];
    registrar.onChange((e) => events.push(e));
  });

  it("binds a contact with the default expiry and lists it in the 200", () => {
    const res = registrar.handleRegister(
      register(["Contact: <sip:alice@10.0.0.2:5060;transport=udp>"]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res.headers), [
      "<sip:alice@10.0.0.2:5060;transport=udp>;expires=3600",
    ]);
    assert.ok(res.headers.some(([n, v]) => n === "Date" && v.endsWith("GMT")));
    const [b] = registrar.bindings("sip:alice@OMNIVOX.test;transport=udp");
    assert.ok(b);
    assert.equal(b.userId, "u-alice");
    assert.equal(b.expiresAt, now + 3_600_000);
    assert.deepEqual(b.source, OPTS.source);
    assert.deepEqual(
      events.map((e) => e.type),
      ["added"],
    );
  });

  it("takes the per-contact expires over the Expires header, and caps at maxExpires", () => {
    const res = registrar.handleRegister(
      register([
        "Contact: <sip:a@10.0.0.2>;expires=120, <sip:b@10.0.0.3>",
        "Contact: <sip:c@10.0.0.4>;expires=99999999999",
        "Expires: 300",
      ]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res.headers), [
      "<sip:a@10.0.0.2>;expires=120",
      "<sip:b@10.0.0.3>;expires=300",
      "<sip:c@10.0.0.4>;expires=3600",
    ]);
  });

  it("answers 423 with Min-Expires for a too-brief interval and changes nothing", () => {
    const res = registrar.handleRegister(
      register(["Contact: <sip:a@10.0.0.2>", "Expires: 59"]),
      "u-alice",
      OPTS,
    );
    assert.deepEqual(res, {
      status: 423,
      reason: "Interval Too Brief",
      headers: [["Min-Expires", "60"]],
    });
    assert.equal(registrar.bindings("sip:alice@omnivox.test").length, 0);
    assert.equal(events.length, 0);
  });

  it("reports remaining time on refresh and keeps registeredAt", () => {
    registrar.handleRegister(register(["Contact: <sip:a@10.0.0.2>;expires=600"]), "u-alice", OPTS);
    now += 100_500;
    const query = registrar.handleRegister(register([], { cseq: 2 }), "u-alice", OPTS);
    assert.equal(query.status, 200);
    assert.deepEqual(contacts(query.headers), ["<sip:a@10.0.0.2>;expires=500"]);
    const refresh = registrar.handleRegister(
      register(["Contact: <sip:a@10.0.0.2>;expires=600"], { cseq: 3 }),
      "u-alice",
      OPTS,
    );
    assert.deepEqual(contacts(refresh.headers), ["<sip:a@10.0.0.2>;expires=600"]);
    assert.equal(registrar.bindings("sip:alice@omnivox.test")[0]?.registeredAt, now - 100_500);
    assert.deepEqual(
      events.map((e) => e.type),
      ["added", "refreshed"],
    );
  });

  it("removes one contact with expires=0 and all with Contact: * and Expires: 0", () => {
    registrar.handleRegister(
      register(["Contact: <sip:a@10.0.0.2>, <sip:b@10.0.0.3>, <sip:c@10.0.0.4>"]),
      "u-alice",
      OPTS,
    );
    const one = registrar.handleRegister(
      register(["Contact: <sip:A@10.0.0.2>;expires=0, <sip:b@10.0.0.3>;expires=0"], { cseq: 2 }),
      "u-alice",
      OPTS,
    );
    assert.equal(one.status, 200);
    assert.equal(
      contacts(one.headers).length,
      2,
      "user part is case-sensitive: sip:A is not sip:a",
    );
    const all = registrar.handleRegister(
      register(["Contact: *", "Expires: 0"], { cseq: 3 }),
      "u-alice",
      OPTS,
    );
    assert.equal(all.status, 200);
    assert.deepEqual(contacts(all.headers), []);
    assert.deepEqual(
      events.map((e) => e.type),
      ["added", "added", "added", "removed", "removed", "removed"],
    );
  });

  it("refuses a wildcard without Expires: 0 or mixed with other contacts", () => {
    for (const lines of [
      ["Contact: *"],
      ["Contact: *", "Expires: 10"],
      ["Contact: *, <sip:a@10.0.0.2>", "Expires: 0"],
    ]) {
      const res = registrar.handleRegister(register(lines), "u-alice", OPTS);
      assert.equal(res.status, 400, lines.join(" / "));
    }
  });

  it("answers 403 for another user's AOR and 404 for unknown AORs or foreign domains", () => {
    const contact = ["Contact: <sip:a@10.0.0.2>"];
    const asBob = registrar.handleRegister(register(contact), "u-bob", OPTS);
    assert.deepEqual(asBob, { status: 403, reason: "Forbidden", headers: [] });
    for (const to of [
      "<sip:carol@omnivox.test>",
      "<sip:alice@elsewhere.test>",
      "<sip:omnivox.test>",
      "<tel:+15551234>",
    ]) {
      const res = registrar.handleRegister(register(contact, { to }), "u-alice", OPTS);
      assert.equal(res.status, 404, to);
    }
    assert.equal(registrar.bindings("sip:alice@omnivox.test").length, 0);
  });

  it("enforces CSeq order within one Call-ID and accepts a new Call-ID", () => {
    const contact = ["Contact: <sip:a@10.0.0.2>"];
    assert.equal(
      registrar.handleRegister(register(contact, { cseq: 5 }), "u-alice", OPTS).status,
      200,
    );
    for (const cseq of [5, 4]) {
      const res = registrar.handleRegister(register(contact, { cseq }), "u-alice", OPTS);
      assert.deepEqual(
        res,
        { status: 400, reason: "CSeq Out of Order", headers: [] },
        `cseq ${cseq}`,
      );
    }
    const unregisterOld = registrar.handleRegister(
      register(["Contact: *", "Expires: 0"], { cseq: 5 }),
      "u-alice",
      OPTS,
    );
    assert.equal(unregisterOld.status, 400);
    const otherCall = registrar.handleRegister(
      register(contact, { callId: "call-2@phone", cseq: 1 }),
      "u-alice",
      OPTS,
    );
    assert.equal(otherCall.status, 200);
    assert.equal(registrar.bindings("sip:alice@omnivox.test")[0]?.callId, "call-2@phone");
  });

  it("commits all or nothing when one contact is out of order", () => {
    registrar.handleRegister(register(["Contact: <sip:a@10.0.0.2>"], { cseq: 5 }), "u-alice", OPTS);
    const res = registrar.handleRegister(
      register(["Contact: <sip:b@10.0.0.3>, <sip:a@10.0.0.2>"], { cseq: 3 }),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 400);
    assert.deepEqual(
      registrar.bindings("sip:alice@omnivox.test").map((b) => b.contact),
      ["sip:a@10.0.0.2"],
    );
  });

  it("answers 405 to anything but REGISTER", () => {
    const invite = { ...register(["Contact: <sip:a@10.0.0.2>"]), method: "INVITE" };
    const res = registrar.handleRegister(invite, "u-alice", OPTS);
    assert.deepEqual(res, {
      status: 405,
      reason: "Method Not Allowed",
      headers: [["Allow", "REGISTER"]],
    });
  });

  it("limits the bindings per AOR", () => {
    const small = new Registrar({
      aorOwner: (aor) => OWNERS[aor],
      now: () => now,
      maxBindingsPerAor: 2,
    });
    const res = small.handleRegister(
      register(["Contact: <sip:a@h1>, <sip:b@h2>, <sip:c@h3>"]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 403);
    assert.equal(small.bindings("sip:alice@omnivox.test").length, 0);
  });

  it("echoes q and +sip.instance", () => {
    const res = registrar.handleRegister(
      register(['Contact: <sip:a@10.0.0.2>;q=0.5;+sip.instance="<urn:uuid:1234>"']),
      "u-alice",
      OPTS,
    );
    assert.deepEqual(contacts(res.headers), [
      '<sip:a@10.0.0.2>;expires=3600;q=0.5;+sip.instance="<urn:uuid:1234>"',
    ]);
  });

  it("hides lapsed bindings at once and sweeps them with expired events", () => {
    registrar.handleRegister(register(["Contact: <sip:a@10.0.0.2>;expires=60"]), "u-alice", OPTS);
    registrar.handleRegister(
      register(["Contact: <sip:b@10.0.0.3>;expires=120"], { callId: "c2" }),
      "u-alice",
      OPTS,
    );
    now += 60_000;
    assert.deepEqual(
      registrar.bindings("sip:alice@omnivox.test").map((b) => b.contact),
      ["sip:b@10.0.0.3"],
    );
    const swept = registrar.sweep();
    assert.deepEqual(
      swept.map((b) => b.contact),
      ["sip:a@10.0.0.2"],
    );
    assert.deepEqual(events.at(-1), { type: "expired", binding: swept[0] });
    assert.equal(registrar.sweep(now + 120_000).length, 1);
    assert.deepEqual(registrar.aors(), []);
  });

  it("reports a re-registration after a lapse as added, and survives a throwing listener", () => {
    registrar.onChange(() => {
      throw new Error("listener bug");
    });
    registrar.handleRegister(register(["Contact: <sip:a@10.0.0.2>;expires=60"]), "u-alice", OPTS);
    now += 61_000;
    const res = registrar.handleRegister(
      register(["Contact: <sip:a@10.0.0.2>"], { cseq: 2 }),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      events.map((e) => e.type),
      ["added", "expired", "added"],
    );
  });

  it("unsubscribes listeners", () => {
    const seen: string[] = [];
    const off = registrar.onChange((e) => seen.push(e.type));
    off();
    registrar.handleRegister(register(["Contact: <sip:a@10.0.0.2>"]), "u-alice", OPTS);
    assert.deepEqual(seen, []);
  });

  it("keeps the Path of a REGISTER with the binding and echoes it to a UA that supports it", () => {
    const res = registrar.handleRegister(
      register([
        "Contact: <sip:alice@10.0.0.2:5060>",
        "Path: <sip:edge.example:5060;lr>",
        "Path: <sip:core.example;lr;transport=tcp>, <sip:third.example;lr>",
        "Supported: path",
      ]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 200);
    const path = [
      "<sip:edge.example:5060;lr>",
      "<sip:core.example;lr;transport=tcp>",
      "<sip:third.example;lr>",
    ];
    assert.deepEqual(
      res.headers.filter(([n]) => n === "Path").map(([, v]) => v),
      path,
      "RFC 3327 §5.3: the same values, in order",
    );
    assert.ok(res.headers.some(([n, v]) => n === "Supported" && v === "path"));
    assert.deepEqual(registrar.bindings("sip:alice@omnivox.test")[0]?.path, path);
  });

  it("stores the Path of a UA that does not say it supports path, without echoing it", () => {
    const res = registrar.handleRegister(
      register(["Contact: <sip:alice@10.0.0.2:5060>", "Path: <sip:edge.example;lr>"]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.filter(([n]) => n === "Path").length, 0);
    assert.deepEqual(registrar.bindings("sip:alice@omnivox.test")[0]?.path, [
      "<sip:edge.example;lr>",
    ]);
    const direct = registrar.handleRegister(
      register(["Contact: <sip:alice@10.0.0.3:5060>"], { callId: "other@phone" }),
      "u-alice",
      OPTS,
    );
    assert.equal(direct.status, 200);
    const b = registrar
      .bindings("sip:alice@omnivox.test")
      .find((x) => x.contact.includes("10.0.0.3"));
    assert.equal(b?.path, undefined, "a REGISTER without Path leaves no route set");
  });

  it("refuses a Path it could not route through: 400", () => {
    const res = registrar.handleRegister(
      register(["Contact: <sip:alice@10.0.0.2:5060>", "Path: <sip:edge.example;lr"]),
      "u-alice",
      OPTS,
    );
    assert.equal(res.status, 400);
    assert.equal(registrar.bindings("sip:alice@omnivox.test").length, 0);
  });
});
