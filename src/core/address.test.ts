import assert from "node:assert/strict";
import { test } from "node:test";
import { displayAddress, formatAddress, parseAddress, systemOf } from "./address.ts";
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
    ["legacy:alice/pbx", "legacy:alice/pbx", "legacy-voicemail"],
    ["LEGACY:bob.smith%40x/Octel-2", "legacy:bob.smith%40x/Octel-2", "legacy-voicemail"],
    ["webhook:ops", "webhook:ops", "webhook"],
    ["Webhook:crm.eu-1", "webhook:crm.eu-1", "webhook"],
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
    "mailto:%",
    "xmpp:%",
    "xmpp:bob%zz@example.com",
    "mailto:%zz@example.com",
    "mailto:bob%@example.com",
    "mailto:%C3@example.com",
    "mailto:bob@example.com%",
    "legacy:",
    "legacy:alice",
    "legacy:alice/",
    "legacy:/pbx",
    "legacy:alice/pbx/extra",
    "legacy:alice/p%2Fbx",
    "legacy:alice/p bx",
    "legacy:%zz/pbx",
    "webhook:",
    "webhook:ops/x",
    "webhook:a b",
    "webhook:-ops",
    "webhook:%6Fps",
  ]) {
    assert.throws(
      () => parseAddress(bad),
      (e: unknown) => e instanceof InvalidAddressError && e.message.includes(bad),
    );
  }
});

test("a legacy: address names the user and the system apart, and says what it reaches", () => {
  const a = parseAddress("legacy:bob.smith%40x/octel");
  assert.deepEqual(a, { scheme: "legacy", userId: "bob.smith@x", systemId: "octel" });
  assert.equal(displayAddress(a), "voicemail system octel of bob.smith@x");
  assert.equal(
    formatAddress({ scheme: "legacy", userId: "a/b", systemId: "c" }),
    "legacy:a%2Fb/c",
    "a slash inside an id cannot make a second system",
  );
});

test("a malformed %-escape in mailto: says so instead of throwing URIError", () => {
  assert.throws(
    () => parseAddress("mailto:%"),
    (e: unknown) => e instanceof InvalidAddressError && /malformed %-escape/.test(e.message),
  );
  assert.deepEqual(parseAddress("mailto:bob%40example.com"), {
    scheme: "mailto",
    email: "bob@example.com",
  });
});
