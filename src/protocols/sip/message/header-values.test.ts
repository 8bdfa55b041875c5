import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAuthParams } from "./auth-params.ts";
import {
  isValidCallId,
  parseContentLength,
  parseCSeq,
  parseMaxForwards,
  parseNameAddr,
  parseVia,
} from "./header-values.ts";
import { splitList } from "./syntax.ts";

test("parseVia: protocol, transport, host, port and parameters", () => {
  const v = parseVia("SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKabc;rport;received=192.0.2.9");
  assert.ok(v);
  assert.equal(v.protocol, "SIP/2.0");
  assert.equal(v.transport, "UDP");
  assert.equal(v.host, "192.0.2.1");
  assert.equal(v.port, 5062);
  assert.equal(v.branch, "z9hG4bKabc");
  assert.equal(v.params.get("rport"), null);
  assert.equal(v.params.get("received"), "192.0.2.9");
});

test("parseVia: LWS around slashes and '=', IPv6 sent-by, lower-case transport", () => {
  const v = parseVia("SIP  /  2.0 / tcp   [2001:db8::9]:5060 ;  branch =  z9hG4bK1");
  assert.ok(v);
  assert.equal(v.transport, "TCP");
  assert.equal(v.host, "[2001:db8::9]");
  assert.equal(v.port, 5060);
  assert.equal(v.branch, "z9hG4bK1");
  assert.equal(parseVia("SIP/2.0/UDP h;received=[::1]")?.params.get("received"), "[::1]");
});

test("parseVia rejects malformed values", () => {
  for (const bad of [
    "",
    "SIP/2.0 host",
    "SIP/2.0/UDP",
    "SIP/2.0/UDPhost",
    "SIP/2.0/UDP host;",
    "SIP/2.0/UDP host;;",
    "SIP/2.0/UDP host:99999",
    "SIP/2.0/UDP host:",
    "SIP/2.0/UDP [zz::1]",
    "SIP/2.0/UDP host junk",
  ]) {
    assert.equal(parseVia(bad), null, bad);
  }
});

test("parseNameAddr: quoted display name with escapes, params and tag", () => {
  const n = parseNameAddr('"Bob \\"the\\" Builder" <sip:bob@example.com>;tag=abc;x="y z"');
  assert.ok(n);
  assert.equal(n.displayName, 'Bob "the" Builder');
  assert.equal(n.uri, "sip:bob@example.com");
  assert.equal(n.tag, "abc");
  assert.equal(n.params.get("x"), "y z");
});

test("parseNameAddr: token display names, no display name, bare addr-spec", () => {
  assert.equal(parseNameAddr("A. G. Bell <sip:a@h>")?.displayName, "A. G. Bell");
  assert.equal(parseNameAddr("<sip:a@h>")?.displayName, undefined);
  const bare = parseNameAddr("sip:a@h;tag=9;expires=60");
  assert.equal(bare?.uri, "sip:a@h");
  assert.equal(bare?.tag, "9");
  assert.equal(bare?.params.get("expires"), "60");
  assert.equal(parseNameAddr("tel:+15551234")?.uri, "tel:+15551234");
  assert.equal(parseNameAddr("<urn:service:sos>")?.uri, "urn:service:sos");
});

test("parseNameAddr rejects the RFC 4475 shapes and other malformed values", () => {
  for (const bad of [
    '"unterminated <sip:a@h>',
    "Bell, Alexander <sip:a@h>",
    "< sip:a@h >",
    "sip:a@h?Route=x",
    "<sip:a@h",
    "<sip:a@h>;",
    "<sip:a@h> junk",
    "<>",
    "",
  ]) {
    assert.equal(parseNameAddr(bad), null, bad);
  }
});

test("parseCSeq: number and method, bounds per §8.1.1.5", () => {
  assert.deepEqual(parseCSeq("0009\t INVITE"), { seq: 9, method: "INVITE" });
  assert.deepEqual(parseCSeq("2147483647 BYE"), { seq: 2147483647, method: "BYE" });
  assert.equal(parseCSeq("2147483648 BYE"), null);
  assert.equal(parseCSeq("1BYE"), null);
  assert.equal(parseCSeq("1 BYE x"), null);
  assert.equal(parseCSeq("-1 BYE"), null);
});

test("Max-Forwards, Content-Length and Call-ID scalars", () => {
  assert.equal(parseMaxForwards("0068"), 68);
  assert.equal(parseMaxForwards("256"), null);
  assert.equal(parseContentLength(" 150 "), 150);
  assert.equal(parseContentLength("-1"), null);
  assert.equal(parseContentLength(""), null);
  assert.ok(isValidCallId("a84b4c76e66710@pc33.example.com"));
  assert.ok(isValidCallId("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
  assert.equal(isValidCallId("two words"), false);
  assert.equal(isValidCallId("a@b@c"), false);
});

test("parseAuthParams: Digest with quoted commas and escapes", () => {
  const a = parseAuthParams(
    'Digest username="bob", realm="biloxi, \\"com\\"",nonce="dcd98b",uri="sip:bob@biloxi.com",' +
      ' response="245f2341", algorithm=MD5, qop=auth, nc=00000001',
  );
  assert.ok(a);
  assert.equal(a.scheme, "Digest");
  assert.equal(a.params.get("username"), "bob");
  assert.equal(a.params.get("realm"), 'biloxi, "com"');
  assert.equal(a.params.get("algorithm"), "MD5");
  assert.equal(a.params.get("nc"), "00000001");
  assert.equal(a.params.size, 8);
  assert.equal(parseAuthParams("Digest"), null);
  assert.equal(parseAuthParams('Digest realm="x'), null);
  assert.equal(parseAuthParams("Digest realm=x,"), null);
});

test("splitList keeps quoted and bracketed commas, trims, keeps empty elements", () => {
  assert.deepEqual(splitList('a, "b,c" , <d,e>;x'), ["a", '"b,c"', "<d,e>;x"]);
  assert.deepEqual(splitList("a,,b"), ["a", "", "b"]);
  assert.deepEqual(splitList("single"), ["single"]);
});
