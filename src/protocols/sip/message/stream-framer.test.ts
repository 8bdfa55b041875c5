import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage } from "./parser.ts";
import { SipStreamFramer } from "./stream-framer.ts";

function message(callId: string, body: string, lengthHeader = "Content-Length"): string {
  return [
    "MESSAGE sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK1",
    "To: <sip:bob@example.com>",
    "From: <sip:alice@example.com>;tag=1",
    `Call-ID: ${callId}`,
    "CSeq: 1 MESSAGE",
    `${lengthHeader}: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

test("a message split into one-byte chunks comes out once, whole", () => {
  const wire = Buffer.from(message("one", "héllo wörld"));
  const framer = new SipStreamFramer();
  const out: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) {
    const batch = framer.push(wire.subarray(i, i + 1));
    assert.equal(batch.error, undefined);
    out.push(...batch.messages);
    if (i < wire.length - 1) assert.equal(batch.messages.length, 0);
  }
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], wire);
  assert.equal(framer.buffered, 0);
  const parsed = parseMessage(out[0]!, { requireContentLength: true });
  assert.ok(parsed.ok);
  assert.equal(parsed.message.body.toString(), "héllo wörld");
});

test("pipelined messages in one chunk, with keep-alives between, split at odd places", () => {
  const wire = Buffer.from(
    `\r\n\r\n${message("a", "x")}${message("b", "", "l")}\r\n\r\n\r\n\r\n${message("c", "zz")}`,
  );
  const framer = new SipStreamFramer();
  const all = framer.push(wire);
  assert.deepEqual(
    all.messages.map((m) => m.toString().match(/Call-ID: (\w)/)?.[1]),
    ["a", "b", "c"],
  );
  assert.equal(all.keepalives, 3);
  for (const cut of [1, 7, 60, 150, 200, wire.length - 1]) {
    const f = new SipStreamFramer();
    const got = [...f.push(wire.subarray(0, cut)).messages, ...f.push(wire.subarray(cut)).messages];
    assert.deepEqual(got, all.messages, `cut at ${cut}`);
  }
});

test("missing, duplicate and malformed Content-Length are fatal and sticky", () => {
  const noLength = message("a", "").replace("Content-Length: 0\r\n", "");
  const f = new SipStreamFramer();
  assert.equal(f.push(Buffer.from(noLength)).error, "missing Content-Length");
  assert.equal(f.push(Buffer.from(message("b", ""))).error, "missing Content-Length");
  const dup = message("a", "").replace("Content-Length: 0", "Content-Length: 0\r\nl: 0");
  assert.equal(new SipStreamFramer().push(Buffer.from(dup)).error, "more than one Content-Length");
  const bad = message("a", "").replace("Content-Length: 0", "Content-Length: -5");
  assert.equal(new SipStreamFramer().push(Buffer.from(bad)).error, "malformed Content-Length");
});

test("oversize: announced body, endless header section, endless line", () => {
  const big = message("a", "").replace("Content-Length: 0", "Content-Length: 70000");
  assert.equal(new SipStreamFramer().push(Buffer.from(big)).error, "message too large");
  const f = new SipStreamFramer({ maxMessageBytes: 4096 });
  let error: string | undefined;
  for (let i = 0; i < 100 && error === undefined; i++) {
    error = f.push(Buffer.from(`X-Filler-${i}: ${"a".repeat(60)}\r\n`)).error;
  }
  assert.equal(error, "message too large");
  const g = new SipStreamFramer();
  assert.equal(g.push(Buffer.alloc(9000, 0x61)).error, "header line too long");
});

test("folded Content-Length is read like the parser reads it", () => {
  const folded = message("a", "abc").replace("Content-Length: 3", "Content-Length:\r\n 3");
  const batch = new SipStreamFramer().push(Buffer.from(folded));
  assert.equal(batch.messages.length, 1);
  assert.ok(parseMessage(batch.messages[0]!, { requireContentLength: true }).ok);
});
