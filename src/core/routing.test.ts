import assert from "node:assert/strict";
import { test } from "node:test";
import { formatAddress } from "./address.ts";
import type { Communication } from "./communication.ts";
import { defaultProfile, type Profile } from "./profile.ts";
import { planTargets, routeFor, wantsTranscript } from "./routing.ts";

const alice: Profile = {
  ...defaultProfile("alice", "Alice"),
  emails: ["alice@example.com"],
  phones: ["+15550001"],
  imClients: [
    { id: "web", kind: "web" },
    { id: "phone", kind: "xmpp", jid: "alice@jabber.example" },
  ],
};

function mail(overrides: Partial<Communication> = {}): Communication {
  return {
    id: "c1",
    kind: "email",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net" },
    to: { scheme: "mailto", email: "alice@example.com" },
    receivedAt: new Date(),
    thread: { threadId: "c1" },
    nativeRefs: [],
    warnings: [],
    body: { text: "hi" },
    ...overrides,
  } as Communication;
}

const targets = (c: Communication, p: Profile) =>
  planTargets(c, p).targets.map((t) => formatAddress(t.address));

test("defaults: email goes to every IM client", () => {
  assert.deepEqual(targets(mail(), alice), ["web:alice/web", "xmpp:alice@jabber.example"]);
});

test("defaults: IM goes to the user's email; voicemail to email and IM", () => {
  const im = mail({
    kind: "im",
    from: { scheme: "xmpp", jid: "bob@x" },
    to: { scheme: "xmpp", jid: "alice@x" },
  });
  assert.deepEqual(targets(im, alice), ["mailto:alice@example.com"]);
  const vm = {
    ...mail(),
    kind: "voicemail",
    from: { scheme: "tel", number: "+1555" },
    to: { scheme: "tel", number: "+15550001" },
    body: { audioId: "a", durationMs: 1000 },
  } as Communication;
  assert.deepEqual(targets(vm, alice), [
    "mailto:alice@example.com",
    "web:alice/web",
    "xmpp:alice@jabber.example",
  ]);
});

test("a profile route overrides the default; '*' catches the rest", () => {
  const p: Profile = {
    ...alice,
    routes: [
      { from: "email", to: ["im", "email"] },
      { from: "*", to: ["email"] },
    ],
  };
  // The mail is not sent back to the address it arrived on.
  assert.deepEqual(targets(mail(), p), ["web:alice/web", "xmpp:alice@jabber.example"]);
  const im = mail({
    kind: "im",
    from: { scheme: "xmpp", jid: "bob@x" },
    to: { scheme: "xmpp", jid: "alice@x" },
  });
  assert.deepEqual(targets(im, p), ["mailto:alice@example.com"]);
});

test("an outbound communication goes to its explicit address only", () => {
  const out = mail({
    direction: "outbound",
    kind: "im",
    from: { scheme: "web", userId: "alice", clientId: "web" },
    to: { scheme: "mailto", email: "bob@elsewhere.net" },
  });
  assert.deepEqual(targets(out, alice), ["mailto:bob@elsewhere.net"]);
});

test("targets the profile cannot resolve are reported, not invented", () => {
  const bare: Profile = { ...defaultProfile("bob"), imClients: [] };
  const plan = planTargets(mail({ userId: "bob" }), {
    ...bare,
    routes: [{ from: "email", to: ["im", "pstn"] }],
  });
  assert.deepEqual(plan.targets, []);
  assert.deepEqual(plan.skipped, ["im", "pstn"]);
});

test("the voicemail target is the user's own box; a voicemail is not routed back into it", () => {
  const p: Profile = {
    ...alice,
    routes: [
      { from: "email", to: ["voicemail"] },
      { from: "voicemail", to: ["voicemail", "email"] },
    ],
  };
  assert.deepEqual(targets(mail(), p), ["voicemail:alice"]);
  const vm = {
    ...mail(),
    kind: "voicemail",
    from: { scheme: "tel", number: "+1555" },
    to: { scheme: "tel", number: "+15550001" },
    body: { audioId: "a", durationMs: 1000 },
  } as Communication;
  const plan = planTargets(vm, p);
  assert.deepEqual(
    plan.targets.map((t) => formatAddress(t.address)),
    ["mailto:alice@example.com"],
  );
  assert.deepEqual(plan.skipped, ["voicemail"]);
});

test("pstn and cellular targets are one call to the user's primary number", () => {
  const p: Profile = {
    ...alice,
    phones: ["+15550001", "+15550002"],
    routes: [{ from: "email", to: ["im", "pstn", "cellular", "voicemail"] }],
  };
  assert.deepEqual(targets(mail(), p), [
    "web:alice/web",
    "xmpp:alice@jabber.example",
    "tel:+15550001",
    "voicemail:alice",
  ]);
});

test("route options: transcription is on unless the route for that system turns it off", () => {
  const p: Profile = {
    ...alice,
    routes: [
      { from: "voicemail", to: ["email"], transcribe: false },
      { from: "*", to: ["email"], voice: "en-gb" },
    ],
  };
  assert.equal(wantsTranscript("voicemail", p), false);
  assert.equal(wantsTranscript("pstn", p), true);
  assert.equal(wantsTranscript("voicemail", alice), true);
  assert.equal(routeFor("email", p).voice, "en-gb");
  assert.deepEqual(routeFor("email", alice).to, ["im"]);
});

test("the legacy-voicemail target is each legacy box that takes deposits", () => {
  const p: Profile = {
    ...alice,
    voicemailSystems: [
      { id: "internal", kind: "internal" },
      { id: "pbx", kind: "sip", uri: "sip:4100@pbx.example", depositUri: "sip:4100@pbx.example" },
      { id: "watched", kind: "sip", uri: "sip:4200@pbx.example" },
      { id: "octel", kind: "smdi", link: "l1", station: "4100", depositUri: "sip:vm@octel" },
    ],
    routes: [{ from: "email", to: ["legacy-voicemail", "im"] }],
  };
  assert.deepEqual(targets(mail(), p), [
    "legacy:alice/pbx",
    "legacy:alice/octel",
    "web:alice/web",
    "xmpp:alice@jabber.example",
  ]);
  const none = planTargets(mail(), { ...p, voicemailSystems: [{ id: "i", kind: "internal" }] });
  assert.deepEqual(none.skipped, ["legacy-voicemail"]);
});

test("webhook:<id> targets resolve to that webhook, each once, beside targets by kind", () => {
  const profile: Profile = {
    ...alice,
    routes: [{ from: "email", to: ["webhook:ops", "im", "webhook:crm", "webhook:ops"] }],
  };
  const plan = planTargets(mail(), profile);
  assert.deepEqual(
    plan.targets.map((t) => formatAddress(t.address)),
    ["webhook:ops", "web:alice/web", "xmpp:alice@jabber.example", "webhook:crm"],
  );
  assert.deepEqual(plan.targets[0]?.address, { scheme: "webhook", id: "ops" });
  assert.deepEqual(plan.skipped, []);
});
