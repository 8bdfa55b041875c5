// Where a takeover call goes: a tel: number through the trunk whose prefixes match (with its
// credentials and caller-ID host), other numbers through the given proxy, sip: URIs direct.

import assert from "node:assert/strict";
import { test } from "node:test";
import { takeoverRoute } from "./takeover.ts";
import { trunkOf } from "./trunks.ts";

test("tel: through the matching trunk, else the outbound proxy; sip: direct", () => {
  const trunk = trunkOf({
    id: "c",
    proxy: "10.0.0.9:5080",
    username: "acct",
    password: "pw",
    fromDomain: "carrier.test",
    numbers: ["+1555"],
  });
  const route = takeoverRoute([trunk], "um.test");
  const proxy = { host: "192.0.2.10", port: 5060 };
  assert.deepEqual(route("tel:+1 555 0100", proxy), {
    uri: "sip:+15550100@10.0.0.9:5080",
    dest: { host: "10.0.0.9", port: 5080, transport: "udp" },
    fromHost: "carrier.test",
    credentials: { username: "acct", password: "pw" },
  });
  assert.deepEqual(route("tel:+4930123", proxy), {
    uri: "sip:+4930123@192.0.2.10:5060",
    dest: { host: "192.0.2.10", port: 5060, transport: "udp" },
    fromHost: "um.test",
  });
  assert.equal((route("sip:bob@pbx.test") as { uri: string }).uri, "sip:bob@pbx.test");
  assert.ok("refused" in takeoverRoute([], "um.test")("tel:+4930123"));
});
