import assert from "node:assert/strict";
import { test } from "node:test";
import { sourceKey } from "./source-address.ts";

test("connections are counted per IPv4 address and per IPv6 /64", () => {
  assert.equal(sourceKey("192.0.2.7"), "192.0.2.7");
  assert.equal(sourceKey("::ffff:192.0.2.7"), "192.0.2.7");
  assert.equal(sourceKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(sourceKey("2001:DB8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  assert.equal(sourceKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(sourceKey("::1"), "0:0:0:0::/64");
  assert.equal(sourceKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(sourceKey("not an address"), "not an address");
});
