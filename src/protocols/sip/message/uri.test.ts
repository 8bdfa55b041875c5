import assert from "node:assert/strict";
import { test } from "node:test";
import { isAbsoluteUri, parseUri } from "./uri.ts";

test("sip URI with user, password, host, port, params and headers", () => {
  const u = parseUri("sip:alice:secret@atlanta.com:5061;transport=TCP;lr?subject=project%20x&p=1");
  assert.ok(u);
  assert.equal(u.scheme, "sip");
  assert.equal(u.user, "alice");
  assert.equal(u.password, "secret");
  assert.equal(u.host, "atlanta.com");
  assert.equal(u.port, 5061);
  assert.equal(u.params.get("transport"), "TCP");
  assert.equal(u.params.get("lr"), null);
  assert.equal(u.headers.get("subject"), "project x");
  assert.equal(u.headers.get("p"), "1");
});

test("sips and IPv6 references, scheme case-insensitive", () => {
  const u = parseUri("SIPS:[2001:db8::10]:5061");
  assert.equal(u?.scheme, "sips");
  assert.equal(u?.host, "[2001:db8::10]");
  assert.equal(u?.port, 5061);
  assert.equal(parseUri("sip:bob@[::ffff:192.0.2.1]")?.host, "[::ffff:192.0.2.1]");
});

test("escapes are decoded in user, params and headers", () => {
  assert.equal(parseUri("sip:%75se%72@example.com")?.user, "user");
  assert.equal(parseUri("sip:null-%00-null@example.com")?.user, "null-\0-null");
  assert.equal(parseUri("sip:%C3%A9t%C3%A9@h")?.user, "été");
  const u = parseUri("sip:h;n%61me=v%61lue%25%34%31");
  assert.equal(u?.params.get("name"), "value%41");
});

test("user part may carry ';' '?' ',' before the '@'", () => {
  const u = parseUri("sip:user;par=u%40example.net@example.com");
  assert.equal(u?.user, "user;par=u@example.net");
  assert.equal(u?.host, "example.com");
  assert.equal(u?.params.size, 0);
});

test("tel URIs", () => {
  const t = parseUri("tel:+1-201-555-0123;phone-context=example.com");
  assert.equal(t?.scheme, "tel");
  assert.equal(t?.user, "+1-201-555-0123");
  assert.equal(t?.params.get("phone-context"), "example.com");
  assert.equal(parseUri("tel:"), null);
  assert.equal(parseUri("tel:12 34"), null);
});

test("malformed sip URIs are refused", () => {
  for (const bad of [
    "sip:",
    "sip:@h",
    "sip:user@",
    "sip:a b@h",
    "sip:h:70000",
    "sip:h:12ab",
    "sip:%zz@h",
    "sip:h;=x",
    "sip:h?noequals",
    "sip:-h",
    "sip:h..com",
    "sip:[1.2.3.4]",
    "sip:h>",
    "http://example.com",
  ]) {
    assert.equal(parseUri(bad), null, bad);
  }
});

test("isAbsoluteUri for schemes we do not model", () => {
  assert.ok(isAbsoluteUri("soap.beep://192.0.2.103:3002"));
  assert.ok(isAbsoluteUri("nobodyKnowsThisScheme:totallyopaquecontent"));
  assert.equal(isAbsoluteUri("<sip:a@h>"), false);
  assert.equal(isAbsoluteUri("1abc:x"), false);
  assert.equal(isAbsoluteUri("mailto:"), false);
  assert.equal(isAbsoluteUri("urn:a b"), false);
});
