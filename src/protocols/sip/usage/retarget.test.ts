import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage, type SipRequest } from "../message/index.ts";
import { retargetOf } from "./retarget.ts";

function invite(uri: string, extra: string[] = []): SipRequest {
  const text = [
    `INVITE ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
    "From: <sip:15551234@192.0.2.10>;tag=1928301774",
    "To: <sip:8500@192.0.2.20>",
    "Call-ID: a84b4c76e66710@192.0.2.10",
    "CSeq: 1 INVITE",
    "Max-Forwards: 70",
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request", "test INVITE parses");
  return parsed.message as SipRequest;
}

test("a plain call: no candidates, the Request-URI user", () => {
  const r = retargetOf(invite("sip:+15550001@omnivox.example.com"));
  assert.deepEqual(r, { candidates: [], requestUser: "+15550001" });
});

test("Asterisk (chan_pjsip) Diversion to the voicemail pilot: box and dnis 1001, busy", () => {
  const r = retargetOf(
    invite("sip:8500@192.0.2.20", [
      "Diversion: <sip:1001@192.0.2.10>;reason=user-busy;privacy=off;screen=no",
    ]),
  );
  assert.deepEqual(r.candidates, ["1001"]);
  assert.equal(r.dialled, "1001");
  assert.equal(r.cause, 486);
  assert.equal(r.requestUser, "8500");
});

test("Cisco CUCM chain: topmost (most recent) diversion is the box, the last the dialled", () => {
  // RFC 5806 §2: each diverting party adds its entry on top.
  const r = retargetOf(
    invite("sip:8500@192.0.2.20", [
      'Diversion: "Bob" <sip:1002@192.0.2.10>;reason=no-answer;privacy=off;screen=yes;counter=1',
      "Diversion: <sip:1001@192.0.2.10>;reason=unconditional;privacy=off;screen=yes;counter=1",
    ]),
  );
  assert.deepEqual(r.candidates, ["1002", "1001"]);
  assert.equal(r.dialled, "1001");
  assert.equal(r.cause, 408);
  // The same chain as one comma-separated header.
  const one = retargetOf(
    invite("sip:8500@192.0.2.20", [
      "Diversion: <sip:1002@192.0.2.10>;reason=no-answer, <tel:1001>;reason=unconditional",
    ]),
  );
  assert.deepEqual(one.candidates, ["1002", "1001"]);
  assert.equal(one.dialled, "1001");
});

test("RFC 4458 §3.1 voicemail URI: target and cause in the Request-URI", () => {
  const r = retargetOf(
    invite("sip:voicemail@example.com;target=sip:+15555551002%40example.com;user=phone;cause=486"),
  );
  assert.deepEqual(r.candidates, ["+15555551002"]);
  assert.equal(r.dialled, "+15555551002");
  assert.equal(r.cause, 486);
  assert.equal(r.requestUser, "voicemail");
});

test("RFC 7044 retarget to voicemail on no answer: mp names the box, cause on the new target", () => {
  // After RFC 7044 §7.3 (the cause URI parameter) and the voicemail example of RFC 4458 §3.4.
  const r = retargetOf(
    invite("sip:vm@example.com;target=sip:bob%40example.com;cause=408", [
      "History-Info: <sip:bob@example.com>;index=1,",
      " <sip:bob@192.0.2.5?Reason=SIP%3Bcause%3D408%3Btext%3D%22Request%20Timeout%22>;index=1.1;rc=1,",
      " <sip:vm@example.com;target=sip:bob%40example.com;cause=408>;index=1.2;mp=1",
    ]),
  );
  assert.deepEqual(r.candidates, ["bob"]);
  assert.equal(r.dialled, "bob");
  assert.equal(r.cause, 408);
});

test("History-Info without RFC 4458 parameters: the entry mapped from, cause from its Reason", () => {
  const r = retargetOf(
    invite("sip:8500@192.0.2.20", [
      "History-Info: <sip:1001@pbx.example.com>;index=1",
      "History-Info: <sip:1001@192.0.2.31?Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy%20Here%22>;index=1.1;rc=1",
      "History-Info: <sip:8500@192.0.2.20>;index=1.2;mp=1",
    ]),
  );
  assert.deepEqual(r.candidates, ["1001"]);
  assert.equal(r.dialled, "1001");
  assert.equal(r.cause, 486);
});

test("a chain in History-Info: box is the last forwarder, dnis the first target", () => {
  // alice → (unconditional) carol → (no answer) voicemail
  const r = retargetOf(
    invite("sip:8500@192.0.2.20", [
      "History-Info: <sip:alice@example.com>;index=1,",
      " <sip:carol@example.com;cause=302>;index=1.1;mp=1,",
      " <sip:carol@192.0.2.7?Reason=SIP%3Bcause%3D480>;index=1.1.1;rc=1.1,",
      " <sip:8500@192.0.2.20;cause=480>;index=1.1.2;mp=1.1",
    ]),
  );
  assert.deepEqual(r.candidates, ["carol", "alice"]);
  assert.equal(r.dialled, "alice");
  assert.equal(r.cause, 480);
});

test("order: Diversion before History-Info before the RFC 4458 target", () => {
  const r = retargetOf(
    invite("sip:8500@192.0.2.20;target=sip:dave%40example.com;cause=302", [
      "Diversion: <sip:1001@192.0.2.10>;reason=unconditional",
      "History-Info: <sip:carol@example.com>;index=1, <sip:8500@192.0.2.20>;index=1.1;mp=1",
    ]),
  );
  assert.deepEqual(r.candidates, ["1001", "carol", "dave"]);
  assert.equal(r.dialled, "1001");
  assert.equal(r.cause, 302);
});

test("hostile or broken headers are skipped, never thrown", () => {
  const r = retargetOf(
    invite("sip:8500@192.0.2.20;cause=abc;target=nobody", [
      "Diversion: garbage <<<",
      "Diversion: <sip:@192.0.2.10>;reason=user-busy",
      "History-Info: <sip:x@y>",
      "History-Info: not-a-uri;index=1",
    ]),
  );
  assert.deepEqual(r.candidates, []);
  assert.equal(r.cause, undefined);
  assert.equal(r.dialled, undefined);
});
