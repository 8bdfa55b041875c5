import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeLeg } from "../../../test/support/fake-leg.ts";
import { generateTone, silenceFrame } from "../../media/pcm.ts";
import {
  type DepositOptions,
  type DepositResult,
  type RecordingSink,
  runDeposit,
} from "./deposit.ts";

class MemorySink implements RecordingSink {
  frames: Int16Array[] = [];
  finished = false;
  aborted = false;
  write(pcm: Int16Array): void {
    this.frames.push(pcm.slice());
  }
  async finish() {
    this.finished = true;
    return { durationMs: this.frames.length * 20 };
  }
  async abort() {
    this.aborted = true;
  }
}

const OPTS: DepositOptions = {
  greeting: new Int16Array(800),
  beep: new Int16Array(160),
  maxMs: 10_000,
  silenceMs: 1000,
  minMs: 200,
  silenceLevel: 300,
};
const voice = () => generateTone(440, 20, 8000, 0.3);
const quiet = () => silenceFrame(160);

/** Waits until the greeting and the beep have been played and recording listens. */
const afterBeep = (leg: FakeLeg) => leg.recording();

test("records speech until silence, without the trailing silence", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  const recorded: DepositResult[] = [];
  const running = runDeposit(
    leg,
    async () => sink,
    OPTS,
    async (r) => {
      recorded.push(r);
    },
  );
  await afterBeep(leg);
  for (let i = 0; i < 50; i++) leg.frame(voice()); // 1 s of speech
  for (let i = 0; i < 10; i++) leg.frame(quiet()); // a pause inside the message is kept
  for (let i = 0; i < 25; i++) leg.frame(voice());
  for (let i = 0; i < 60; i++) leg.frame(quiet()); // 1.2 s of silence ends it
  const result = await running;
  assert.equal(result.endedBy, "silence");
  assert.equal(result.kept, true);
  assert.equal(sink.frames.length, 85);
  assert.equal(result.durationMs, 1700);
  assert.deepEqual(recorded, [result]);
});

test("# ends the message; # during the greeting skips it", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  leg.onPlay = (i) => {
    if (i === 0) leg.digit("#");
  };
  const running = runDeposit(
    leg,
    async () => sink,
    { ...OPTS, greeting: new Int16Array(8000) },
    async () => {},
  );
  await leg.recording();
  for (let i = 0; i < 30; i++) leg.frame(voice());
  leg.digit("#");
  const result = await running;
  assert.equal(result.endedBy, "pound");
  assert.equal(sink.frames.length, 30);
});

test("a remote hang-up is acknowledged only after the message is durable", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  let durableWhenAcked: boolean | undefined;
  let stored = false;
  const running = runDeposit(
    leg,
    async () => sink,
    OPTS,
    async () => {
      await new Promise((r) => setTimeout(r, 20));
      stored = true;
    },
  );
  await afterBeep(leg);
  for (let i = 0; i < 40; i++) leg.frame(voice());
  const bye = leg.remoteHangup().then(() => {
    durableWhenAcked = stored && sink.finished;
  });
  const result = await running;
  await bye;
  assert.equal(result.endedBy, "hangup");
  assert.equal(durableWhenAcked, true);
  assert.equal(leg.byeAcknowledged, true);
});

test("hanging up during the greeting, or saying nothing, leaves no message", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  let called = false;
  leg.onPlay = (i) => {
    if (i === 0) void leg.remoteHangup();
  };
  const early = await runDeposit(
    leg,
    async () => sink,
    OPTS,
    async () => {
      called = true;
    },
  );
  assert.deepEqual([early.kept, sink.frames.length, called], [false, 0, false]);

  const leg2 = new FakeLeg();
  const sink2 = new MemorySink();
  const running = runDeposit(
    leg2,
    async () => sink2,
    OPTS,
    async () => {
      called = true;
    },
  );
  await afterBeep(leg2);
  for (let i = 0; i < 60; i++) leg2.frame(quiet());
  const silent = await running;
  assert.deepEqual(
    [silent.kept, silent.endedBy, sink2.aborted, called],
    [false, "silence", true, false],
  );
});

test("the maximum length ends the recording", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  const running = runDeposit(
    leg,
    async () => sink,
    { ...OPTS, maxMs: 400 },
    async () => {},
  );
  await afterBeep(leg);
  for (let i = 0; i < 100; i++) leg.frame(voice());
  const result = await running;
  assert.equal(result.endedBy, "max");
  assert.ok(sink.frames.length >= 20 && sink.frames.length <= 21);
});

test("missing packets are silence: made-up frames end the message, leading ones are not kept", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  const done = runDeposit(
    leg,
    async () => sink,
    { ...OPTS, silenceMs: 1000, minMs: 0 },
    async () => {},
  );
  await leg.recording();
  const loud = new Int16Array(160).fill(8000);
  const quiet = new Int16Array(160);
  for (let i = 0; i < 10; i++) leg.frame(quiet, true); // 200 ms before the caller's first packet
  for (let i = 0; i < 50; i++) leg.frame(loud); // 1 s of speech
  for (let i = 0; i < 20; i++) leg.frame(quiet, true); // a 400 ms pause, packets missing
  for (let i = 0; i < 25; i++) leg.frame(loud);
  for (let i = 0; i < 50; i++) leg.frame(quiet, true); // then nothing comes at all
  const result = await done;
  assert.equal(result.endedBy, "silence");
  assert.equal(result.kept, true);
  // 1 s + 0.4 s pause + 0.5 s: the pause is kept, the leading and trailing silence are not.
  assert.equal(sink.frames.length, 50 + 20 + 25);
});

test("a caller who never sends a packet ends on silence with nothing kept", async () => {
  const leg = new FakeLeg();
  const sink = new MemorySink();
  const done = runDeposit(
    leg,
    async () => sink,
    { ...OPTS, silenceMs: 1000 },
    async () => {},
  );
  await leg.recording();
  for (let i = 0; i < 60; i++) leg.frame(new Int16Array(160), true);
  const result = await done;
  assert.deepEqual(result, { kept: false, durationMs: 0, endedBy: "silence" });
  assert.equal(sink.frames.length, 0);
});
