// Reaching a registered phone over its flow (RFC 5626 §5.3 connection reuse, RFC 3581 for UDP),
// the Contact only when the flow is gone.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Binding } from "./bindings.ts";
import { bindingDestination, flowOf, needsFlow } from "./flow.ts";

function binding(contact: string, source?: Binding["source"]): Binding {
  return {
    aor: "sip:alice@example.com",
    userId: "alice",
    contact,
    key: contact,
    expiresAt: Date.now() + 60_000,
    callId: "c",
    cseq: 1,
    registeredAt: Date.now(),
    ...(source ? { source } : {}),
  };
}

describe("bindingDestination", () => {
  it("uses the open TCP or TLS connection the REGISTER came on", () => {
    const b = binding("sip:alice@10.0.0.5:5060;transport=tcp", {
      host: "203.0.113.7",
      port: 40123,
      transport: "TCP",
    });
    const open = new Set(["203.0.113.7:40123"]);
    assert.deepEqual(
      bindingDestination(b, (d) => open.has(`${d.host}:${d.port}`)),
      { host: "203.0.113.7", port: 40123, transport: "tcp" },
    );
    const tls = binding("sip:alice@10.0.0.5;transport=tls", {
      host: "203.0.113.7",
      port: 40124,
      transport: "TLS",
    });
    assert.deepEqual(flowOf(tls), { host: "203.0.113.7", port: 40124, transport: "tls" });
  });

  it("falls back to the Contact when that connection has closed", () => {
    const b = binding("sip:alice@10.0.0.5:5062;transport=tcp", {
      host: "203.0.113.7",
      port: 40123,
      transport: "TCP",
    });
    assert.deepEqual(
      bindingDestination(b, () => false),
      { host: "10.0.0.5", port: 5062, transport: "tcp" },
    );
    const sips = binding("sips:alice@phone.example", {
      host: "203.0.113.7",
      port: 40124,
      transport: "TLS",
    });
    assert.deepEqual(
      bindingDestination(sips, () => false),
      { host: "phone.example", port: 5061, transport: "tls" },
    );
  });

  it("sends UDP to the source address a NAT maps back, not to the private Contact", () => {
    const b = binding("sip:alice@192.168.1.20:5060", {
      host: "203.0.113.7",
      port: 61000,
      transport: "UDP",
    });
    assert.deepEqual(
      bindingDestination(b, () => false),
      { host: "203.0.113.7", port: 61000, transport: "udp" },
    );
  });

  it("without a flow, the Contact; an unroutable one, nothing", () => {
    assert.deepEqual(bindingDestination(binding("sip:alice@192.0.2.3:5070")), {
      host: "192.0.2.3",
      port: 5070,
      transport: "udp",
    });
    assert.equal(bindingDestination(binding("tel:+15550001")), undefined);
    assert.equal(
      flowOf(binding("sip:a@h", { host: "1.2.3.4", port: 1, transport: "SCTP" })),
      undefined,
    );
  });

  it("reaches a Contact registered by a third party at the Contact, not the registrant", () => {
    // A B2BUA at 198.51.100.2 registers a phone at 192.0.2.30 (RFC 3261 §10.2).
    const thirdParty = binding("sip:alice@192.0.2.30:5070", {
      host: "198.51.100.2",
      port: 5060,
      transport: "UDP",
      sentBy: "198.51.100.2:5060",
    });
    assert.deepEqual(
      bindingDestination(thirdParty, () => true),
      { host: "192.0.2.30", port: 5070, transport: "udp" },
    );
    // The phone itself behind NAT: Via and Contact name its private address.
    const natted = binding("sip:alice@192.168.1.20:5060", {
      host: "203.0.113.7",
      port: 61000,
      transport: "UDP",
      sentBy: "192.168.1.20:5060",
    });
    assert.deepEqual(flowOf(natted), { host: "203.0.113.7", port: 61000, transport: "udp" });
    // RFC 5626 outbound (;ob) asks for the flow whatever the Via says.
    const outbound = binding("sip:alice@10.9.9.9:5060;transport=tcp;ob", {
      host: "203.0.113.7",
      port: 40200,
      transport: "TCP",
      sentBy: "invalid.invalid:5060",
    });
    assert.deepEqual(flowOf(outbound), { host: "203.0.113.7", port: 40200, transport: "tcp" });
    const tls = binding("sips:alice@phone.example", {
      host: "203.0.113.7",
      port: 40300,
      transport: "TLS",
      sentBy: "phone.example:5061",
    });
    assert.deepEqual(flowOf(tls)?.port, 40300, "default ports compare equal");
  });
});

describe("needsFlow", () => {
  it("is true for a stream flow and for a UDP source a NAT maps", () => {
    const tcp = binding("sip:alice@10.0.0.5:5060;transport=tcp", {
      host: "203.0.113.7",
      port: 40123,
      transport: "TCP",
    });
    assert.equal(needsFlow(tcp), true);
    const natted = binding("sip:alice@10.0.0.5:5060", {
      host: "203.0.113.7",
      port: 40999,
      transport: "UDP",
    });
    assert.equal(needsFlow(natted), true);
  });

  it("is false for a UDP phone at its own Contact, a Path, and a third party's Contact", () => {
    const direct = binding("sip:alice@198.51.100.4:5062", {
      host: "198.51.100.4",
      port: 5062,
      transport: "UDP",
    });
    assert.equal(needsFlow(direct), false);
    const proxied = {
      ...binding("sip:alice@10.0.0.5:5060;transport=tcp", {
        host: "192.0.2.1",
        port: 5060,
        transport: "TCP",
      }),
      path: ["<sip:edge.example.com;lr>"],
    };
    assert.equal(needsFlow(proxied), false);
    const thirdParty = binding("sip:alice@10.0.0.5:5060;transport=tcp", {
      host: "192.0.2.9",
      port: 5060,
      transport: "TCP",
      sentBy: "192.0.2.9:5060",
    });
    assert.equal(needsFlow(thirdParty), false);
  });
});
