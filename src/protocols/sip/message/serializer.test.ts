import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { SipHeaders } from "./headers.ts";
import { parseMessage } from "./parser.ts";
import { serializeMessage } from "./serializer.ts";
import type { SipRequest } from "./types.ts";

const dir = new URL("../../../../test/fixtures/rfc4475/", import.meta.url);

test("canonical names, one line per value, Content-Length from the body", () => {
  const headers = new SipHeaders()
    .add("v", "SIP/2.0/UDP h;branch=z9hG4bK1")
    .add("call-id", "abc")
    .add("cseq", "1 MESSAGE")
    .add("www-authenticate", 'Digest realm="r"')
    .add("X-Odd-Case", "kept")
    .add("Content-Length", "999");
  const req: SipRequest = {
    kind: "request",
    method: "MESSAGE",
    uri: "sip:a@h",
    version: "SIP/2.0",
    headers,
    body: Buffer.from("héllo"),
  };
  assert.equal(
    serializeMessage(req).toString(),
    "MESSAGE sip:a@h SIP/2.0\r\n" +
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
      "Call-ID: abc\r\n" +
      "CSeq: 1 MESSAGE\r\n" +
      'WWW-Authenticate: Digest realm="r"\r\n' +
      "X-Odd-Case: kept\r\n" +
      "Content-Length: 6\r\n\r\nhéllo",
  );
});

test("header values with CR or LF are refused, not smuggled", () => {
  const req: SipRequest = {
    kind: "request",
    method: "OPTIONS",
    uri: "sip:a@h",
    version: "SIP/2.0",
    headers: new SipHeaders().add("Subject", "x\r\nVia: evil"),
    body: Buffer.alloc(0),
  };
  assert.throws(() => serializeMessage(req), TypeError);
});

test("every accepted RFC 4475 message survives serialize → parse unchanged", () => {
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sip"))) {
    const first = parseMessage(readFileSync(new URL(file, dir)));
    if (!first.ok) continue;
    const again = parseMessage(serializeMessage(first.message));
    assert.ok(again.ok, `${file}: ${again.ok ? "" : again.error}`);
    const a = first.message;
    const b = again.message;
    assert.equal(b.kind, a.kind);
    if (a.kind === "request" && b.kind === "request") {
      assert.equal(b.method, a.method);
      assert.equal(b.uri, a.uri);
    }
    assert.deepEqual(b.body, a.body, file);
    const strip = (m: typeof a) => m.headers.toJSON().filter(([n]) => n !== "Content-Length");
    assert.deepEqual(strip(b), strip(a), file);
    count++;
  }
  assert.equal(count, 29, "every fixture the parser accepts");
});
