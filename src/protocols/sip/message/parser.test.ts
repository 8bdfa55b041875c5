import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage } from "./parser.ts";
import type { ParseResult, SipMessage } from "./types.ts";

const HEAD = [
  "INVITE sip:bob@example.com SIP/2.0",
  "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds",
  "Max-Forwards: 70",
  "To: Bob <sip:bob@example.com>",
  "From: Alice <sip:alice@example.com>;tag=1928301774",
  "Call-ID: a84b4c76e66710@pc33.example.com",
  "CSeq: 314159 INVITE",
];

function msg(lines: string[], body = "", eol = "\r\n"): Buffer {
  return Buffer.from(lines.join(eol) + eol + eol + body, "utf8");
}

function ok(result: ParseResult): SipMessage {
  assert.ok(result.ok, result.ok ? "" : result.error);
  return result.message;
}

function fails(result: ParseResult, includes: string): void {
  assert.equal(result.ok, false);
  if (!result.ok) assert.ok(result.error.includes(includes), `"${result.error}" ∌ "${includes}"`);
}

test("a plain request parses into method, uri, version, headers and body", () => {
  const m = ok(parseMessage(msg([...HEAD, "Content-Length: 4"], "v=0\n")));
  assert.equal(m.kind, "request");
  if (m.kind !== "request") return;
  assert.equal(m.method, "INVITE");
  assert.equal(m.uri, "sip:bob@example.com");
  assert.equal(m.version, "SIP/2.0");
  assert.equal(m.headers.get("CALL-ID"), "a84b4c76e66710@pc33.example.com");
  assert.equal(m.body.toString(), "v=0\n");
});

test("folded header lines are joined with one SP", () => {
  const m = ok(
    parseMessage(msg([...HEAD, "Subject: I know you're there,", "\tpick up the phone", "  now"])),
  );
  assert.equal(m.headers.get("subject"), "I know you're there, pick up the phone now");
});

test("folding inside the value after the colon and in CSeq", () => {
  const lines = HEAD.filter((l) => !l.startsWith("CSeq")).concat(["CSeq:", "  314159", " INVITE"]);
  const m = ok(parseMessage(msg(lines)));
  assert.equal(m.headers.get("cseq"), "314159 INVITE");
});

test("compact forms and any case find the same header", () => {
  const lines = [
    "OPTIONS sip:x@example.com SIP/2.0",
    "v: SIP/2.0/UDP h;branch=z9hG4bK1",
    "t: <sip:x@example.com>",
    "f: <sip:y@example.com>;tag=1",
    "i: abc@h",
    "CSEQ: 1 OPTIONS",
    "m: <sip:y@h>",
    "k: path",
    "o: presence",
    "u: dialog",
    "r: <sip:z@h>",
    "b: <sip:w@h>",
    "x: 1800",
    "s: hello",
    "e: gzip",
    "c: text/plain",
    "l: 0",
  ];
  const m = ok(parseMessage(msg(lines)));
  const h = m.headers;
  assert.equal(h.get("Call-ID"), "abc@h");
  assert.equal(h.get("i"), "abc@h");
  assert.equal(h.get("Contact"), "<sip:y@h>");
  assert.equal(h.get("supported"), "path");
  assert.equal(h.get("Event"), "presence");
  assert.equal(h.get("allow-events"), "dialog");
  assert.equal(h.get("Refer-To"), "<sip:z@h>");
  assert.equal(h.get("referred-by"), "<sip:w@h>");
  assert.equal(h.get("session-expires"), "1800");
  assert.equal(h.get("SUBJECT"), "hello");
  assert.equal(h.get("content-encoding"), "gzip");
  assert.equal(h.get("Content-Type"), "text/plain");
  assert.equal(h.get("content-length"), "0");
  assert.equal(h.get("VIA"), "SIP/2.0/UDP h;branch=z9hG4bK1");
});

test("list headers split at commas, but not inside quotes or <…>", () => {
  const m = ok(
    parseMessage(
      msg([
        ...HEAD,
        'Contact: "Bell, Alexander" <sip:a@h;x=1,2>;q=0.5, <sip:b@h>, sip:c@h',
        "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK2, SIP/2.0/TCP b.example.com;branch=z9hG4bK3",
        "Allow: INVITE, ACK,BYE",
        "Record-Route: <sip:p1;lr>, <sip:p2;lr>",
        "Route: <sip:r1;lr>,<sip:r2;lr>",
      ]),
    ),
  );
  assert.deepEqual(m.headers.getAll("contact"), [
    '"Bell, Alexander" <sip:a@h;x=1,2>;q=0.5',
    "<sip:b@h>",
    "sip:c@h",
  ]);
  assert.equal(m.headers.count("via"), 3);
  assert.deepEqual(m.headers.getAll("allow"), ["INVITE", "ACK", "BYE"]);
  assert.equal(m.headers.count("record-route"), 2);
  assert.equal(m.headers.count("route"), 2);
});

test("authorization-style, Date and unknown headers are never split", () => {
  const auth = 'Digest username="bob", realm="a,b", nonce="n", uri="sip:x", response="r"';
  const m = ok(
    parseMessage(
      msg([
        ...HEAD,
        `Authorization: ${auth}`,
        `Proxy-Authorization: ${auth}`,
        'WWW-Authenticate: Digest realm="x", nonce="y"',
        "Date: Sat, 13 Nov 2010 23:29:00 GMT",
        "X-Thing: a, b, c",
      ]),
    ),
  );
  assert.deepEqual(m.headers.getAll("authorization"), [auth]);
  assert.equal(m.headers.count("proxy-authorization"), 1);
  assert.equal(m.headers.count("www-authenticate"), 1);
  assert.equal(m.headers.get("date"), "Sat, 13 Nov 2010 23:29:00 GMT");
  assert.equal(m.headers.get("x-thing"), "a, b, c");
});

test("Content-Length larger than the datagram is an error; smaller truncates (§18.3)", () => {
  fails(parseMessage(msg([...HEAD, "Content-Length: 10"], "abc")), "Content-Length larger");
  const m = ok(parseMessage(msg([...HEAD, "Content-Length: 2"], "abcdef")));
  assert.equal(m.body.toString(), "ab");
});

test("missing Content-Length: rest of datagram, unless the transport is a stream", () => {
  const m = ok(parseMessage(msg(HEAD, "hello")));
  assert.equal(m.body.toString(), "hello");
  fails(parseMessage(msg(HEAD, "hello"), { requireContentLength: true }), "missing Content-Length");
});

test("malformed and duplicate Content-Length are errors", () => {
  fails(parseMessage(msg([...HEAD, "Content-Length: 1x"])), "malformed Content-Length");
  fails(parseMessage(msg([...HEAD, "Content-Length: 0", "l: 0"])), "more than one");
  fails(parseMessage(msg([...HEAD, "Content-Length: 99999999999999999999"])), "malformed");
});

test("size limits: whole message, header line, header count", () => {
  const big = msg([...HEAD, "Content-Length: 70000"], "x".repeat(70000));
  const r = parseMessage(big);
  fails(r, "too large");
  if (!r.ok) assert.equal(r.status, 513);
  fails(parseMessage(msg([...HEAD, `X-Long: ${"a".repeat(9000)}`])), "header line too long");
  const many = Array.from({ length: 130 }, (_, i) => `X-H${i}: v`);
  fails(parseMessage(msg([...HEAD, ...many])), "too many headers");
  ok(parseMessage(msg([...HEAD, ...many.slice(0, 100)])));
  fails(parseMessage(msg(HEAD), { maxMessageBytes: 100 }), "too large");
});

test("bare LF line endings are tolerated, a bare CR is not", () => {
  const m = ok(parseMessage(msg([...HEAD, "Content-Length: 3"], "a\r\n", "\n")));
  assert.equal(m.body.toString(), "a\r\n");
  fails(parseMessage(msg([...HEAD, "X-A: 1\rX-B: 2"])), "bare CR");
});

test("leading CRLFs before the start line are skipped (§7.5)", () => {
  ok(parseMessage(Buffer.concat([Buffer.from("\r\n\r\n"), msg(HEAD)])));
  fails(parseMessage(Buffer.from("\r\n\r\n")), "empty");
});

test("request-line validation", () => {
  const replace = (line: string) => msg([line, ...HEAD.slice(1)]);
  fails(parseMessage(replace("INVITE sip:bob@example.com SIP/2.0 ")), "Request-Line");
  fails(parseMessage(replace("INV<TE sip:bob@example.com SIP/2.0")), "Request-Line");
  fails(parseMessage(replace("INVITE <sip:bob@example.com> SIP/2.0")), "Request-URI");
  fails(parseMessage(replace("INVITE sip:bob@example.com")), "Request-Line");
  const r = parseMessage(replace("INVITE sip:bob@example.com SIP/3.0"));
  assert.equal(r.ok === false && r.status, 505);
  fails(parseMessage(replace("INVITE sip:bob@example.com HTTP/1.1")), "SIP-Version");
});

test("status-line validation: SIP/2.0, three digits, 100–699", () => {
  const resp = (line: string) => msg([line, ...HEAD.slice(1)]);
  const m = ok(parseMessage(resp("SIP/2.0 180 Ringing")));
  assert.equal(m.kind === "response" && m.status, 180);
  assert.equal(m.kind === "response" && m.reason, "Ringing");
  fails(parseMessage(resp("SIP/2.0 099 Low")), "out of range");
  fails(parseMessage(resp("SIP/2.0 700 High")), "out of range");
  fails(parseMessage(resp("SIP/2.0 2000 OK")), "Status-Code");
  fails(parseMessage(resp("SIP/2.1 200 OK")), "SIP-Version");
  const r = parseMessage(resp("SIP/2.0 20 OK"));
  assert.equal(r.ok === false && r.canRespond, false);
});

test("mandatory headers, CSeq method match and Max-Forwards range", () => {
  const without = (name: string) => msg(HEAD.filter((l) => !l.startsWith(name)));
  fails(parseMessage(without("Via")), "missing Via");
  fails(parseMessage(without("To")), "missing To");
  fails(parseMessage(without("From")), "missing From");
  fails(parseMessage(without("Call-ID")), "missing Call-ID");
  fails(parseMessage(without("CSeq")), "missing CSeq");
  ok(parseMessage(without("Max-Forwards")));
  const swap = (from: string, to: string) => msg(HEAD.map((l) => (l === from ? to : l)));
  fails(parseMessage(swap("CSeq: 314159 INVITE", "CSeq: 314159 BYE")), "CSeq method");
  fails(parseMessage(swap("Max-Forwards: 70", "Max-Forwards: 256")), "Max-Forwards");
  fails(parseMessage(swap("CSeq: 314159 INVITE", "CSeq: 2147483648 INVITE")), "CSeq");
});

test("a failed request carries what a 400 needs; an ACK never gets one", () => {
  const r = parseMessage(
    msg([...HEAD.filter((l) => !l.startsWith("Call-ID")), "Content-Length: 5"]),
  );
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.canRespond, true);
  assert.equal(r.partial?.method, "INVITE");
  assert.equal(r.partial?.headers.get("cseq"), "314159 INVITE");
  assert.equal(r.partial?.headers.has("max-forwards"), false);
  const ack = parseMessage(
    msg(["ACK sip:bob@example.com SIP/2.0", ...HEAD.slice(1).filter((l) => !l.startsWith("To"))]),
  );
  assert.equal(ack.ok === false && ack.canRespond, false);
});

test("malformed header lines are reported after collecting the rest", () => {
  const r = parseMessage(msg([HEAD[0]!, "No colon here", ...HEAD.slice(1)]));
  fails(r, "malformed header line");
  assert.equal(r.ok === false && r.partial?.headers.count("via"), 1);
  fails(parseMessage(msg([HEAD[0]!, " continuation first", ...HEAD.slice(1)])), "continuation");
});

test("Uint8Array input and a datagram ending after the last header line", () => {
  const bytes = new Uint8Array(msg(HEAD));
  ok(parseMessage(bytes));
  const noBlank = Buffer.from(`${HEAD.join("\r\n")}\r\n`);
  assert.equal(ok(parseMessage(noBlank)).body.length, 0);
  fails(parseMessage(noBlank, { requireContentLength: true }), "not terminated");
});
