import assert from "node:assert/strict";
import { test } from "node:test";
import { formatAddress, parseAddress, systemOf } from "./address.ts";
import { InvalidAddressError } from "./errors.ts";

test("addresses parse to their canonical form and system", () => {
  const cases: Array<[string, string, string]> = [
    ["mailto:Bob@Example.NET", "mailto:bob@example.net", "email"],
    ["tel:+1 (555) 123-4567", "tel:+15551234567", "pstn"],
    ["sip:alice@pbx.example:5070", "sip:alice@pbx.example:5070", "pstn"],
    ["xmpp:alice@jabber.example/phone", "xmpp:alice@jabber.example/phone", "im"],
    ["web:alice", "web:alice/web", "im"],
    ["voicemail:alice", "voicemail:alice", "voicemail"],
    ["voicemail:bob.smith%40x", "voicemail:bob.smith%40x", "voicemail"],
  ];
  for (const [input, canonical, system] of cases) {
    const a = parseAddress(input);
    assert.equal(formatAddress(a), canonical);
    assert.equal(systemOf(a), system);
    assert.equal(formatAddress(parseAddress(canonical)), canonical, "canonical form is stable");
  }
});

test("bad addresses are InvalidAddressError naming the input", () => {
  for (const bad of [
    "bob@example.net",
    "mailto:not-an-address",
    "tel:call-me",
    "gopher:x",
    "web:",
    "xmpp:a b@c",
    "voicemail:",
    "voicemail:a b",
    "voicemail:%zz",
  ]) {
    assert.throws(
      () => parseAddress(bad),
      (e: unknown) => e instanceof InvalidAddressError && e.message.includes(bad),
    );
  }
});
