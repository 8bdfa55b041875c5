// The outbox's legacy-voicemail adapter (`legacy:` targets): the call it places (depositUri,
// Diversion for the station, the original caller in From), the SMDI call detail before it, and
// which failures the outbox retries (busy box, SMDI link down, not started) or gives up on.

import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { testVoicemail } from "../../../test/support/store.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { DeliveryTarget } from "../../core/ports.ts";
import { defaultProfile, type Profile } from "../../core/profile.ts";
import type { AudioRendition, TextRendition } from "../../core/rendition.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import type { CallForward } from "../../protocols/smdi/index.ts";
import type { PlayOnPhoneOptions } from "../telephone/service.ts";
import { telephonyPort } from "../telephone/telephony-port.ts";
import { LegacyDepositAdapter } from "./deposit-adapter.ts";

const profile: Profile = {
  ...defaultProfile("alice"),
  phones: ["+15550001"],
  voicemailSystems: [
    { id: "internal", kind: "internal" },
    { id: "pbx", kind: "sip", uri: "sip:4100@10.0.0.5", depositUri: "sip:4100@10.0.0.5:5070" },
    { id: "watch", kind: "sip", uri: "sip:4200@10.0.0.5" },
    { id: "octel", kind: "smdi", link: "l1", station: "4300", depositUri: "sip:vm@10.0.0.6" },
    { id: "tel", kind: "sip", uri: "sip:1@x", depositUri: "tel:+15559999" },
  ],
};
const audio: AudioRendition = { medium: "voice", audioId: "rec-1", durationMs: 20, notes: [] };
const target = (systemId: string): DeliveryTarget => ({
  deliveryId: "d1",
  address: { scheme: "legacy", userId: "alice", systemId },
  attempt: 1,
});

function setup(opts: { fail?: Error; smdiUp?: boolean; attach?: boolean } = {}) {
  const events: string[] = [];
  const calls: PlayOnPhoneOptions[] = [];
  const links =
    opts.attach === false
      ? undefined
      : {
          telephony: telephonyPort(
            () => ({
              dial: () => Promise.reject(new Error("the replay places no relay call")),
              playOnPhone: async (o: PlayOnPhoneOptions) => {
                events.push(`call ${o.uri}`);
                calls.push(o);
                if (opts.fail) throw opts.fail;
                return { playedMs: 20, packetsReceived: 0, callId: "replay-1@omnivox" };
              },
            }),
            { trunks: [], domain: "um.example" },
          ),
          callDetail: (link: string, c: CallForward) => {
            events.push(`md ${link} ${c.type} ${c.forwardingStation} ${c.callingStation}`);
            return opts.smdiUp !== false;
          },
        };
  const adapter = new LegacyDepositAdapter({
    profileOf: async (id) => (id === "alice" ? profile : undefined),
    loadPcm: async (id) => (id === "rec-1" ? new Int16Array(160) : undefined),
    domain: "um.example",
    logger: pino({ level: "silent" }),
    answerTimeoutMs: 5000,
    ...(links ? { links } : {}),
  });
  return { adapter, events, calls };
}

const vm = testVoicemail({ ani: "+15551234", dnis: "15550001", callerName: "Bob" });

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeliveryError, String(err));
    return err;
  }
  throw new Error("did not fail");
}

test("a replay calls the box's depositUri with Diversion for the dialled number", async () => {
  const s = setup();
  assert.equal(s.adapter.handles(target("pbx").address), true);
  assert.equal(s.adapter.handles({ scheme: "voicemail", userId: "alice" }), false);
  assert.equal(await s.adapter.send(vm, audio, target("pbx")), "replay-1@omnivox");
  const call = s.calls[0]!;
  assert.equal(call.uri, "sip:4100@10.0.0.5:5070");
  assert.deepEqual(call.dest, { host: "10.0.0.5", port: 5070, transport: "udp" });
  assert.deepEqual(call.headers, [
    ["Diversion", "<sip:15550001@um.example>;reason=no-answer;counter=1"],
  ]);
  assert.deepEqual(call.from, { uri: "sip:+15551234@um.example", displayName: "Bob" });
  assert.equal(call.pcm.length, 160);
});

test("an SMDI box gets the MD frame first; text spoken for it is filed under the station", async () => {
  const s = setup();
  const mail = {
    id: "m1",
    kind: "email",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "mailto", email: "carol@example.net" },
    to: { scheme: "mailto", email: "alice@example.com" },
    receivedAt: new Date(),
    thread: { threadId: "m1" },
    nativeRefs: [],
    warnings: [],
    body: { text: "call me" },
  } as Communication;
  await s.adapter.send(mail, audio, target("octel"));
  assert.deepEqual(s.events, ["md l1 N 4300 ", "call sip:vm@10.0.0.6"]);
  assert.match(String(s.calls[0]?.headers?.[0]?.[1]), /^<sip:4300@um\.example>/);
  // Without a dialled number a SIP box files the spoken mail under the user's primary number.
  await s.adapter.send(mail, audio, target("pbx"));
  assert.match(String(s.calls[1]?.headers?.[0]?.[1]), /^<sip:\+15550001@um\.example>/);
});

test("retried: a busy box, an SMDI link that is down, SIP not started yet", async () => {
  const busy = await failure(
    setup({ fail: new CallFailedError(486, "Busy Here") }).adapter.send(vm, audio, target("pbx")),
  );
  assert.equal(busy.permanent, false);
  assert.match(busy.message, /486 Busy Here/);

  const down = setup({ smdiUp: false });
  const linkDown = await failure(down.adapter.send(vm, audio, target("octel")));
  assert.equal(linkDown.permanent, false);
  assert.match(linkDown.message, /SMDI link "l1"/);
  assert.equal(down.calls.length, 0, "no call without its call detail");

  const early = await failure(setup({ attach: false }).adapter.send(vm, audio, target("pbx")));
  assert.equal(early.permanent, false);
});

test("given up: no such user or box, a box without depositUri, bad URI, text, lost audio", async () => {
  const s = setup();
  const permanent = async (p: Promise<unknown>, pattern: RegExp) => {
    const e = await failure(p);
    assert.equal(e.permanent, true, e.message);
    assert.match(e.message, pattern);
  };
  const bob: DeliveryTarget = {
    ...target("pbx"),
    address: { scheme: "legacy", userId: "bob", systemId: "pbx" },
  };
  await permanent(s.adapter.send(vm, audio, bob), /user "bob" does not exist/);
  await permanent(s.adapter.send(vm, audio, target("gone")), /no voicemail system "gone"/);
  await permanent(s.adapter.send(vm, audio, target("watch")), /with a depositUri/);
  await permanent(s.adapter.send(vm, audio, target("tel")), /not a sip: URI/);
  const text: TextRendition = { medium: "text", subject: "", text: "hi", from: "x", notes: [] };
  await permanent(s.adapter.send(vm, text, target("pbx")), /takes audio/);
  await permanent(
    s.adapter.send(vm, { ...audio, audioId: "lost" }, target("pbx")),
    /"lost" is not stored/,
  );
  await permanent(
    setup({ fail: new CallFailedError(404, "Not Found") }).adapter.send(vm, audio, target("pbx")),
    /404/,
  );
  assert.equal(s.calls.length, 0);
});
