// The live relay of a deposit into legacy boxes (dual deposit), against scripted SIP legs: frames
// held until the box answers and then flushed in order, Diversion and From, the SMDI call detail
// first, and every way a leg fails — refused, never answered, dropped, not started, a bad URI —
// ending as a target to replay with exactly one log line.

import assert from "node:assert/strict";
import { test } from "node:test";
import { recordingLogger, settle } from "../../../test/peers/legacy-vm/support.ts";
import { until } from "../../../test/support/until.ts";
import { defaultProfile, type Profile, type VoicemailSystem } from "../../core/profile.ts";
import type { DialRequest } from "../../core/telephony.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import type { CallForward } from "../../protocols/smdi/index.ts";
import { callingStation, LegacyRelay, type RelayLeg, type RelayLinks } from "./relay.ts";

const FAILED = "legacy voicemail: live deposit failed; the stored message will be replayed";
const PBX: VoicemailSystem = {
  id: "pbx",
  kind: "sip",
  uri: "sip:4100@127.0.0.1:5070",
  depositUri: "sip:4100@127.0.0.1:5070",
};

class ScriptedLeg implements RelayLeg {
  readonly sent: number[] = [];
  hungUp = 0;
  #end!: (why: string) => void;
  readonly ended = new Promise<string>((resolve) => {
    this.#end = resolve;
  });
  constructor(readonly callId: string) {}
  sendFrame(pcm: Int16Array): void {
    this.sent.push(pcm[0]!);
  }
  async hangup(): Promise<void> {
    this.hungUp++;
    this.#end("local-bye");
  }
  remoteBye(): void {
    this.#end("remote-bye");
  }
}

/** A relay whose dial waits for the test to answer or refuse. */
function setup(systems: VoicemailSystem[], opts: { attach?: boolean; smdiUp?: boolean } = {}) {
  const { logger, lines } = recordingLogger();
  const profile: Profile = {
    ...defaultProfile("alice"),
    phones: ["+15550001"],
    voicemailSystems: systems,
  };
  const events: string[] = [];
  const dials: DialRequest[] = [];
  const pending: Array<{ answer(leg: RelayLeg): void; refuse(err: Error): void }> = [];
  const links: RelayLinks | undefined =
    opts.attach === false
      ? undefined
      : {
          dial: (o) => {
            events.push(`dial ${o.uri}`);
            dials.push(o);
            return new Promise((answer, refuse) => pending.push({ answer, refuse }));
          },
          callDetail: (link: string, call: CallForward) => {
            events.push(`md ${link} ${call.type} ${call.forwardingStation} ${call.callingStation}`);
            return opts.smdiUp !== false;
          },
        };
  const relay = new LegacyRelay({
    profileOf: async (id) => (id === "alice" ? profile : undefined),
    domain: "um.example",
    logger,
    holdMs: 100,
    ...(links ? { links } : {}),
  });
  const copy = relay.open({
    userId: "alice",
    callId: "rec-1",
    party: { ani: "+15551234", callerName: 'Bob "B"', dnis: "15550001" },
  });
  const failures = () => lines.filter((l) => l.msg === FAILED);
  return { copy, events, dials, pending, failures };
}

const frame = (n: number) => Int16Array.of(n, 0, 0);
const tick = () => new Promise((r) => setImmediate(r));

test("frames recorded before the box answers are flushed in order, then sent as recorded", async () => {
  const s = setup([{ id: "internal", kind: "internal" }, PBX]);
  s.copy.write(frame(1)); // before the profile is even loaded
  await until("s.pending.length === 1", () => s.pending.length === 1, { intervalMs: 0 });
  s.copy.write(frame(2));
  const leg = new ScriptedLeg("legacy-call-1");
  s.pending[0]!.answer(leg);
  await tick();
  s.copy.write(frame(3));
  assert.deepEqual(leg.sent, [1, 2, 3]);
  const dial = s.dials[0]!;
  assert.equal(dial.uri, PBX.depositUri);
  assert.deepEqual(dial.dest, { host: "127.0.0.1", port: 5070, transport: "udp" });
  assert.deepEqual(dial.headers, [
    ["Diversion", "<sip:15550001@um.example>;reason=no-answer;counter=1"],
  ]);
  assert.deepEqual(dial.from, { uri: "sip:+15551234@um.example", displayName: "Bob B" });
  const targets = await s.copy.finish();
  assert.deepEqual(targets, [
    {
      address: { scheme: "legacy", userId: "alice", systemId: "pbx" },
      delivered: { nativeId: "legacy-call-1" },
    },
  ]);
  assert.equal(leg.hungUp, 1, "the legacy leg ends with the recording");
  s.copy.write(frame(4));
  s.copy.close();
  assert.deepEqual(leg.sent, [1, 2, 3], "nothing after the end");
  assert.equal(leg.hungUp, 1);
  assert.equal(s.failures().length, 0);
});

test("a refused call leaves the box to the replay, with one log line", async () => {
  const s = setup([PBX]);
  await until("s.pending.length === 1", () => s.pending.length === 1, { intervalMs: 0 });
  s.pending[0]!.refuse(new CallFailedError(486, "Busy Here"));
  await tick();
  s.copy.write(frame(1));
  const targets = await s.copy.finish();
  assert.deepEqual(targets, [{ address: { scheme: "legacy", userId: "alice", systemId: "pbx" } }]);
  assert.equal(s.failures().length, 1);
  assert.match(String(s.failures()[0]?.reason), /486 Busy Here/);
  assert.equal(s.failures()[0]?.systemId, "pbx");
});

test("a box that answers too late is given up, then hung up on when it does answer", async () => {
  const s = setup([PBX]);
  await until("s.pending.length === 1", () => s.pending.length === 1, { intervalMs: 0 });
  for (let i = 0; i < 6; i++) s.copy.write(frame(i)); // 120 ms > holdMs 100
  assert.equal(s.failures().length, 1);
  assert.match(String(s.failures()[0]?.reason), /not answered within 100 ms/);
  const late = new ScriptedLeg("late");
  s.pending[0]!.answer(late);
  await until("late.hungUp === 1", () => late.hungUp === 1, { intervalMs: 0 });
  assert.deepEqual(late.sent, []);
  assert.deepEqual(await s.copy.finish(), [
    { address: { scheme: "legacy", userId: "alice", systemId: "pbx" } },
  ]);
  assert.equal(s.failures().length, 1, "still one line");
});

test("a box that drops the call mid-message is replayed; the recording is never held up", async () => {
  const s = setup([PBX]);
  await until("s.pending.length === 1", () => s.pending.length === 1, { intervalMs: 0 });
  const leg = new ScriptedLeg("dropped");
  s.pending[0]!.answer(leg);
  await tick();
  s.copy.write(frame(1));
  leg.remoteBye();
  await tick();
  s.copy.write(frame(2));
  assert.deepEqual(leg.sent, [1]);
  assert.deepEqual(await s.copy.finish(), [
    { address: { scheme: "legacy", userId: "alice", systemId: "pbx" } },
  ]);
  assert.equal(s.failures().length, 1);
  assert.match(String(s.failures()[0]?.reason), /ended the call \(remote-bye\)/);
});

test("an SMDI box gets the MD frame before the call; a link that refuses it fails the relay", async () => {
  const octel: VoicemailSystem = {
    id: "octel",
    kind: "smdi",
    link: "l1",
    station: "4300",
    depositUri: "sip:vm@127.0.0.1:5071;transport=tcp",
  };
  const up = setup([octel]);
  await until("up.pending.length === 1", () => up.pending.length === 1, { intervalMs: 0 });
  assert.deepEqual(up.events, ["md l1 N 4300 15551234", `dial ${octel.depositUri}`]);
  assert.equal(up.dials[0]?.dest.transport, "tcp");
  assert.match(String(up.dials[0]?.headers?.[0]?.[1]), /^<sip:4300@um\.example>/);
  up.copy.close();

  const down = setup([octel], { smdiUp: false });
  await until("down.failures().length === 1", () => down.failures().length === 1, {
    intervalMs: 0,
  });
  assert.deepEqual(await down.copy.finish(), [
    { address: { scheme: "legacy", userId: "alice", systemId: "octel" } },
  ]);
  assert.deepEqual(down.events, ["md l1 N 4300 15551234"], "no call without the call detail");
  assert.equal(down.failures().length, 1);
});

test("a dropped recording ends the legs without a failure; nothing to do without boxes", async () => {
  const s = setup([PBX]);
  await until("s.pending.length === 1", () => s.pending.length === 1, { intervalMs: 0 });
  const leg = new ScriptedLeg("short");
  s.pending[0]!.answer(leg);
  await tick();
  s.copy.close();
  assert.equal(leg.hungUp, 1);
  assert.equal(s.failures().length, 0);

  // Dropped before the profile was even read: no call, and no failure to log either.
  const gone = setup([PBX]);
  gone.copy.close();
  await settle(30);
  assert.deepEqual(gone.events, []);
  assert.equal(gone.failures().length, 0);

  const none = setup([
    { id: "internal", kind: "internal" },
    { ...PBX, depositUri: undefined },
  ]);
  none.copy.write(frame(1));
  assert.deepEqual(await none.copy.finish(), []);
  assert.deepEqual(none.events, []);
});

test("bad input: not started, a depositUri that is no SIP URI, a station no header can carry", async () => {
  const early = setup([PBX], { attach: false });
  await until("early.failures().length === 1", () => early.failures().length === 1, {
    intervalMs: 0,
  });
  assert.deepEqual(await early.copy.finish(), [
    { address: { scheme: "legacy", userId: "alice", systemId: "pbx" } },
  ]);
  assert.equal(early.failures().length, 1);

  const tel = setup([{ ...PBX, depositUri: "tel:+15559999" }]);
  await until("tel.failures().length === 1", () => tel.failures().length === 1, { intervalMs: 0 });
  assert.equal((await tel.copy.finish()).length, 1);
  assert.match(String(tel.failures()[0]?.reason), /not a sip: URI/);
  assert.deepEqual(tel.events, []);

  const badStation = setup([
    { id: "o", kind: "smdi", link: "l1", station: "43 00", depositUri: PBX.depositUri! },
  ]);
  await until("badStation.failures().length === 1", () => badStation.failures().length === 1, {
    intervalMs: 0,
  });
  assert.equal((await badStation.copy.finish()).length, 1);
  assert.match(String(badStation.failures()[0]?.reason), /station/);
  assert.deepEqual(badStation.events, []);

  assert.equal(callingStation("+15551234"), "15551234");
  assert.equal(callingStation("anonymous"), "");
  assert.equal(callingStation("1234567890123456"), "", "more than 15 digits");
  assert.equal(callingStation(undefined), "");
});

test("a recording over before the profile was read is replayed, never dialled", async () => {
  const s = setup([PBX]);
  assert.deepEqual(await s.copy.finish(), [
    { address: { scheme: "legacy", userId: "alice", systemId: "pbx" } },
  ]);
  assert.deepEqual(s.events, []);
  assert.equal(s.failures().length, 1);
});
