// Trunk selection and addressing: proxies as configured (IPv6, transport), the longest prefix,
// "+" not significant, the default trunk, and which sip: hosts are a trunk's.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTrunkProxy, trunkAt, trunkCall, trunkFor, trunkOf } from "./trunks.ts";

test("a proxy is host, optional port (5060) and optional transport", () => {
  assert.deepEqual(parseTrunkProxy("sip.carrier.test"), {
    host: "sip.carrier.test",
    dest: { host: "sip.carrier.test", port: 5060, transport: "udp" },
  });
  assert.deepEqual(parseTrunkProxy("[2001:db8::1]:5080;transport=TCP"), {
    host: "[2001:db8::1]",
    dest: { host: "2001:db8::1", port: 5080, transport: "tcp" },
  });
});

test("the longest matching prefix wins; '' is the default; '+' is not significant", () => {
  const trunks = [
    trunkOf({ id: "default", proxy: "a.test", numbers: [""] }),
    trunkOf({ id: "us", proxy: "b.test", numbers: ["+1"] }),
    trunkOf({ id: "local", proxy: "c.test", numbers: ["1555", "+4930"] }),
  ];
  assert.equal(trunkFor(trunks, "+15550100")?.id, "local");
  assert.equal(trunkFor(trunks, "12125550000")?.id, "us");
  assert.equal(trunkFor(trunks, "4930123")?.id, "local");
  assert.equal(trunkFor(trunks, "+33123")?.id, "default");
  assert.equal(trunkFor(trunks.slice(1), "+33123"), undefined);
  assert.equal(trunkFor([trunkOf({ id: "none", proxy: "d.test" })], "+1"), undefined);
});

test("the call goes to sip:<number>@<host[:port]> at the proxy; trunkAt knows its hosts", () => {
  const t = trunkOf({ id: "c", proxy: "10.0.0.9:5080;transport=tcp", numbers: [""] });
  assert.deepEqual(trunkCall(t, "+15550100"), {
    uri: "sip:+15550100@10.0.0.9:5080;transport=tcp",
    dest: { host: "10.0.0.9", port: 5080, transport: "tcp" },
  });
  assert.equal(trunkCall(trunkOf({ id: "d", proxy: "x.test" }), "1").uri, "sip:1@x.test");
  assert.equal(t.fromDomain, "10.0.0.9");
  assert.equal(trunkAt([t], "10.0.0.9", 5080), t);
  assert.equal(trunkAt([t], "10.0.0.9", undefined), undefined);
  assert.equal(trunkAt([t], "10.0.0.8", 5080), undefined);
});
