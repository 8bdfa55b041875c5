import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage } from "./parser.ts";
import { buildResponse } from "./response.ts";
import { serializeMessage } from "./serializer.ts";

const REQUEST = [
  "INVITE sip:bob@example.com SIP/2.0",
  "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2",
  "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1",
  "To: Bob <sip:bob@example.com>",
  "From: Alice <sip:alice@example.com>;tag=1928301774",
  "Call-ID: a84b4c76e66710",
  "CSeq: 314159 INVITE",
  "Contact: <sip:alice@pc33.example.com>",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

test("copies Via (in order), From, To, Call-ID and CSeq, and adds a To tag on request", () => {
  const parsed = parseMessage(Buffer.from(REQUEST));
  assert.ok(parsed.ok);
  if (parsed.message.kind !== "request") throw new Error("expected a request");
  const res = buildResponse(parsed.message, 486, "Busy Here", {
    toTag: "xyz",
    headers: [["Retry-After", "60"]],
  });
  assert.equal(res.status, 486);
  assert.deepEqual(res.headers.getAll("via"), [
    "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2",
    "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1",
  ]);
  assert.equal(res.headers.get("to"), "Bob <sip:bob@example.com>;tag=xyz");
  assert.equal(res.headers.get("from"), "Alice <sip:alice@example.com>;tag=1928301774");
  assert.equal(res.headers.has("contact"), false);
  assert.equal(res.headers.get("retry-after"), "60");
  const wire = serializeMessage(res).toString();
  assert.ok(wire.startsWith("SIP/2.0 486 Busy Here\r\n"));
  assert.ok(wire.endsWith("Content-Length: 0\r\n\r\n"));
  assert.ok(parseMessage(Buffer.from(wire)).ok);
});

test("an existing To tag is kept", () => {
  const withTag = REQUEST.replace("To: Bob <sip:bob@example.com>", "To: <sip:bob@h>;tag=old");
  const parsed = parseMessage(Buffer.from(withTag));
  assert.ok(parsed.ok);
  if (parsed.message.kind !== "request") throw new Error("expected a request");
  const res = buildResponse(parsed.message, 200, "OK", { toTag: "new" });
  assert.equal(res.headers.get("to"), "<sip:bob@h>;tag=old");
});

test("a 400 from the partial of a malformed request (RFC 4475 §3.3.1 style)", () => {
  const broken = REQUEST.replace("Call-ID: a84b4c76e66710\r\n", "").replace(
    "CSeq: 314159 INVITE",
    "CSeq: 314159 INVITE\r\nCSeq: 2 INVITE",
  );
  const parsed = parseMessage(Buffer.from(broken));
  assert.equal(parsed.ok, false);
  if (parsed.ok || !parsed.partial) throw new Error("expected a partial");
  assert.ok(parsed.canRespond);
  const res = buildResponse(parsed.partial, 400, parsed.error, { toTag: "t1" });
  assert.equal(res.headers.count("via"), 2);
  assert.equal(res.headers.count("cseq"), 1);
  assert.equal(res.headers.get("cseq"), "314159 INVITE");
  assert.equal(res.headers.has("call-id"), false);
  assert.ok(res.headers.get("to")?.endsWith(";tag=t1"));
});
