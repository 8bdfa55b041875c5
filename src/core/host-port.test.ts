import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHostPort, parseHostPort } from "./host-port.ts";

test("names, IPv4 and bracketed IPv6 are read, brackets removed", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:8080"), {
    ok: true,
    value: { host: "127.0.0.1", port: 8080 },
  });
  assert.deepEqual(parseHostPort("pbx.example:7000"), {
    ok: true,
    value: { host: "pbx.example", port: 7000 },
  });
  assert.deepEqual(parseHostPort("[2001:db8::1]:5347"), {
    ok: true,
    value: { host: "2001:db8::1", port: 5347 },
  });
  assert.deepEqual(parseHostPort("[::]:0"), { ok: true, value: { host: "::", port: 0 } });
});

test("what is not host:port is a form problem", () => {
  for (const text of [
    "8080",
    "host",
    ":80",
    "xmpp://host:5347",
    "sip:192.0.2.10:5060",
    "::1:80",
    "[::1]",
    "[host]:80",
    "a b:80",
    " host:80",
    "host:123456",
    "host:-1",
    "host/path:80",
  ])
    assert.deepEqual(parseHostPort(text), { ok: false, problem: "form" }, text);
});

test("a port past 65535, or 0 where one is dialled, is a port problem", () => {
  assert.deepEqual(parseHostPort("host:65536"), { ok: false, problem: "port" });
  assert.deepEqual(parseHostPort("host:99999"), { ok: false, problem: "port" });
  assert.equal(parseHostPort("host:65535").ok, true);
  assert.equal(parseHostPort("host:0").ok, true);
  assert.deepEqual(parseHostPort("host:0", { minPort: 1 }), { ok: false, problem: "port" });
  assert.equal(parseHostPort("host:1", { minPort: 1 }).ok, true);
});

test("format puts IPv6 back in brackets and round-trips", () => {
  assert.equal(formatHostPort({ host: "::1", port: 5060 }), "[::1]:5060");
  assert.equal(formatHostPort({ host: "192.0.2.1", port: 0 }), "192.0.2.1:0");
  for (const text of ["[2001:db8::1]:5347", "pbx.example:7000", "10.0.0.1:1"]) {
    const parsed = parseHostPort(text);
    assert.ok(parsed.ok);
    assert.equal(formatHostPort(parsed.value), text);
  }
});
