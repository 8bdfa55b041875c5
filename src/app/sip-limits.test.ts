import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../config/load.ts";
import { callsPerSource, endpointLimits } from "./sip-limits.ts";

test("trusted proxies, trunks given by address and listed hosts are exempt from per-source limits", () => {
  const config = parseConfig({
    sip: {
      trustedProxies: ["192.0.2.10"],
      trunks: [
        { id: "a", proxy: "198.51.100.7:5080;transport=tcp", numbers: ["+1"] },
        { id: "b", proxy: "[2001:db8::5]:5060", numbers: ["+49"] },
        { id: "c", proxy: "sip.carrier.example", numbers: [""] },
      ],
      limits: { exempt: ["203.0.113.9"] },
    },
  });
  assert.deepEqual(endpointLimits(config).perSource?.exempt, [
    "192.0.2.10",
    "198.51.100.7",
    "2001:db8::5",
    "203.0.113.9",
  ]);
});

test("one source may hold a tenth of the RTP ports, at least ten calls", () => {
  assert.equal(callsPerSource(parseConfig({ sip: { rtpPorts: "20000-29999" } })), 500);
  assert.equal(callsPerSource(parseConfig({ sip: { rtpPorts: "20000-20019" } })), 10);
  assert.equal(callsPerSource(parseConfig({ sip: { limits: { callsPerSource: 3 } } })), 3);
});
