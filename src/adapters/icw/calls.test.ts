// The ICW call state machine without sockets: the default at decideBy, forward, a reply whose
// speech fails, refusals, a screening tee that costs nothing unheard, and a takeover's relay.

import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { FakeLeg } from "../../../test/support/fake-leg.ts";
import type { IcwAction } from "../../core/call-waiting.ts";
import type { OutboundLeg } from "../../core/telephony.ts";
import { type IcwCall, IcwCalls, type IcwMedia } from "./calls.ts";

class FakeOther implements OutboundLeg {
  readonly sent: Int16Array[] = [];
  readonly #frames = new Set<(pcm: Int16Array) => void>();
  hungUp = false;
  #end!: () => void;
  readonly ended = new Promise<void>((resolve) => {
    this.#end = resolve;
  });
  sendFrame(pcm: Int16Array): void {
    this.sent.push(pcm.slice());
  }
  onFrame(listener: (pcm: Int16Array) => void): () => void {
    this.#frames.add(listener);
    return () => this.#frames.delete(listener);
  }
  async hangup(): Promise<void> {
    this.hungUp = true;
    this.#end();
  }
  frame(pcm: Int16Array): void {
    for (const l of this.#frames) l(pcm);
  }
}

function setup(opts: { decideMs?: number; media?: Partial<IcwMedia> } = {}) {
  const states: string[] = [];
  const decided: Array<{ action: IcwAction; by: string; warnings: string[] }> = [];
  let end!: () => void;
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  const other = new FakeOther();
  const calls = new IcwCalls();
  const call = calls.open({
    id: "call-1",
    userId: "alice",
    party: { ani: "15551234", dnis: "15550001" },
    decideMs: opts.decideMs ?? 60_000,
    ended,
    hooks: {
      changed: (c: IcwCall) => states.push(c.state),
      decided: (_c, action, by, warnings) => decided.push({ action, by, warnings }),
    },
    media: {
      speak: async () => new Int16Array(160).fill(1000),
      check: () => undefined,
      dial: async () => other,
      ...opts.media,
    },
    logger: pino({ level: "silent" }),
  });
  return { call, calls, states, decided, other, end };
}

test("no choice by decideBy: voicemail, recorded as a timeout", async () => {
  const { call, states, decided, end } = setup({ decideMs: 1 });
  assert.deepEqual(await call.decision, { action: "voicemail" });
  assert.deepEqual(decided, [{ action: { action: "voicemail" }, by: "timeout", warnings: [] }]);
  end();
  await call.finished;
  assert.deepEqual(states, ["ringing", "ended"]);
});

test("forward decides at once; the call then refuses more actions and is gone when over", async () => {
  const { call, calls, states, decided, end } = setup();
  assert.equal(await call.act({ action: "forward", to: "tel:+15559999" }, "web"), undefined);
  assert.deepEqual(await call.decision, { action: "forward", to: "tel:+15559999" });
  assert.equal(decided[0]?.by, "web");
  const again = await call.act({ action: "voicemail" }, "web");
  assert.equal(again?.field, "callId");
  end();
  await call.finished;
  assert.deepEqual(states, ["ringing", "forwarded"], "forwarded is the last word");
  assert.equal(calls.get("call-1"), undefined);
});

test("a reply whose speech fails still goes to voicemail, with a warning for the user", async () => {
  const { call, decided } = setup({
    media: {
      speak: async () => {
        throw new Error("no TTS engine");
      },
    },
  });
  await call.act({ action: "reply", text: "In a meeting" }, "web");
  const decision = await call.decision;
  assert.equal(decision.action, "reply");
  assert.equal(decision.speech, undefined);
  assert.match(decided[0]?.warnings[0] ?? "", /no TTS engine/);
  const second = await call.act({ action: "voicemail" }, "web");
  assert.equal(second?.field, "action", "a call is decided once");
});

test("takeover is refused while ringing and for a target that cannot be called", async () => {
  const refuse = { check: () => ({ field: "to", message: "needs icw.outboundProxy" }) };
  const { call } = setup({ media: refuse });
  assert.equal((await call.act({ action: "takeover", to: "tel:1" }, "web"))?.field, "action");
  await call.act({ action: "voicemail" }, "web");
  const leg = new FakeLeg();
  call.attach(leg, () => {});
  call.recording();
  assert.equal((await call.act({ action: "takeover", to: "tel:1" }, "web"))?.field, "to");
});

test("screening subscribes to the caller only while someone listens", async () => {
  const { call } = setup();
  await call.act({ action: "voicemail" }, "web");
  const leg = new FakeLeg();
  let subscriptions = 0;
  const onFrame = leg.onFrame.bind(leg);
  leg.onFrame = (l) => {
    subscriptions++;
    return onFrame(l);
  };
  call.attach(leg, () => {});
  call.recording();
  leg.frame(new Int16Array(160));
  assert.equal(subscriptions, 0, "nobody listens: the recording path is untouched");

  const got: Buffer[] = [];
  let ended = false;
  const remove = call.screen.add({ data: (b) => got.push(b), end: () => (ended = true) });
  assert.ok(remove);
  leg.frame(new Int16Array(160).fill(-2));
  assert.equal(subscriptions, 1);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.length, 320, "16-bit PCM");
  assert.equal(got[0]?.readInt16LE(0), -2);
  remove();
  leg.frame(new Int16Array(160));
  assert.equal(got.length, 1, "removed listeners hear nothing more");

  call.screen.add({ data: () => {}, end: () => (ended = true) });
  assert.equal(await call.afterRecording(), false);
  assert.ok(ended, "listeners end with the recording");
  assert.equal(call.screen.add({ data: () => {}, end: () => {} }), undefined);
});

test("takeover stops the deposit's view of the call and relays audio both ways", async () => {
  const { call, states, decided, other, end } = setup();
  await call.act({ action: "voicemail" }, "web");
  const leg = new FakeLeg();
  const toCaller: Int16Array[] = [];
  const view = call.attach(leg, (pcm) => toCaller.push(pcm.slice()));
  call.recording();
  assert.equal(await call.act({ action: "takeover", to: "tel:+15550002" }, "web"), undefined);
  assert.equal(await view.ended, "local-hangup", "the deposit sees the call end and keeps it");
  assert.equal(call.state, "taken-over");
  assert.equal(decided.at(-1)?.action.action, "takeover");

  leg.frame(new Int16Array(160).fill(7));
  other.frame(new Int16Array(160).fill(9));
  assert.equal(other.sent[0]?.[0], 7, "the new leg hears the caller");
  assert.equal(toCaller[0]?.[0], 9, "the caller hears the new leg");

  const relayEnded = call.afterRecording();
  await leg.remoteHangup();
  assert.equal(await relayEnded, true);
  assert.ok(other.hungUp, "the new leg is hung up when the caller leaves");
  end();
  await call.finished;
  assert.deepEqual(states, ["ringing", "recording", "taken-over", "ended"]);
});
