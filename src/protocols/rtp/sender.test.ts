import assert from "node:assert/strict";
import type { Socket } from "node:dgram";
import { test } from "node:test";
import { manualClock } from "../../../test/support/manual-clock.ts";
import { ulawToLinear } from "../../media/g711.ts";
import { generateTone } from "../../media/pcm.ts";
import { parseTelephoneEvent } from "./dtmf.ts";
import { isRtpParseError, parseRtp, type RtpPacket } from "./packet.ts";
import { type RtpClock, RtpSender } from "./sender.ts";

interface Sent {
  packet: RtpPacket;
  at: number;
}

/** A virtual clock whose timers fire `lateMs` after they were due, on the next turn of the loop. */
function virtualClock(lateMs = 0): RtpClock & { t: number } {
  const clock = {
    t: 1000,
    now: () => clock.t,
    setTimeout: (fn: () => void, ms: number) =>
      setImmediate(() => {
        clock.t += ms + lateMs;
        fn();
      }),
    clearTimeout: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
  };
  return clock;
}

function setup(lateMs = 0, telephoneEventPt?: number) {
  const clock = virtualClock(lateMs);
  const sent: Sent[] = [];
  const socket = {
    send(
      buf: Buffer,
      offset: number,
      length: number,
      _port: number,
      _addr: string,
      cb: (e: Error | null) => void,
    ) {
      const p = parseRtp(Buffer.from(buf.subarray(offset, offset + length)));
      assert.ok(!isRtpParseError(p));
      sent.push({ packet: p, at: clock.t });
      queueMicrotask(() => cb(null));
    },
  } as unknown as Socket;
  const sender = new RtpSender({
    socket,
    destination: { address: "127.0.0.1", port: 9 },
    payloadType: 0,
    telephoneEventPt,
    clock,
    random: () => 0.999,
  });
  return { clock, sent, sender };
}

test("playPcm paces frames from the start time: late timers do not accumulate drift", async () => {
  const { clock, sent, sender } = setup(7);
  const start = clock.t;
  await sender.playPcm(generateTone(440, 1000));
  assert.equal(sent.length, 50);
  for (const [k, s] of sent.entries()) {
    const lag = s.at - (start + 20 * k);
    assert.ok(lag >= 0 && lag < 20, `frame ${k} sent ${lag} ms after its deadline`);
  }
  assert.ok(clock.t - start < 1000 + 27, "done about when the audio ends");
});

test("packets carry one SSRC, consecutive sequence numbers and timestamps, marker on the first", async () => {
  const { sent, sender } = setup();
  const tone = generateTone(1000, 70); // 560 samples: the last frame is padded
  await sender.playPcm(tone);
  assert.equal(sent.length, 4);
  const [first] = sent;
  assert.equal(first!.packet.ssrc, sender.ssrc);
  const seq0 = Math.floor(0.999 * 65536);
  assert.equal(first!.packet.sequence, seq0, "random initial sequence");
  for (const [k, { packet }] of sent.entries()) {
    assert.equal(packet.marker, k === 0);
    assert.equal(packet.payloadType, 0);
    assert.equal(packet.payload.length, 160);
    assert.equal(packet.sequence, (seq0 + k) & 0xffff);
    assert.equal(packet.timestamp, (first!.packet.timestamp + 160 * k) >>> 0);
  }
  assert.ok(Math.abs(ulawToLinear(sent[1]!.packet.payload[5]!) - tone[165]!) < 600);
  assert.equal(ulawToLinear(sent[3]!.packet.payload[159]!), 0, "padding is silence");
  assert.equal(sender.stats.packetsSent, 4);
});

test("a new talk spurt is marked and its timestamp counts the idle time", async () => {
  const { clock, sent, sender } = setup();
  await sender.playPcm(new Int16Array(320));
  clock.t += 1000;
  await sender.playPcm(new Int16Array(160));
  assert.equal(sent.length, 3);
  assert.equal(sent[2]!.packet.marker, true);
  const gap = sent[2]!.packet.timestamp - sent[1]!.packet.timestamp;
  assert.equal(gap, 160 + 8000);
});

test("abort stops playback and rejects; queued plays still run afterwards", async () => {
  const { sent, sender } = setup();
  const controller = new AbortController();
  const first = sender.playPcm(new Int16Array(160 * 50), { signal: controller.signal });
  const second = sender.playPcm(new Int16Array(160 * 2));
  while (sent.length < 3) await new Promise((r) => setImmediate(r));
  controller.abort();
  await assert.rejects(first, { name: "AbortError" });
  await second;
  assert.ok(sent.length >= 5 && sent.length <= 6, `${sent.length} sent`);
  assert.equal(sent.at(-2)!.packet.marker, true, "the second play is a new spurt");
});

test("sendDigit follows RFC 4733: one timestamp, growing duration, three end packets", async () => {
  const { sent, sender } = setup(0, 101);
  await sender.sendDigit("7", { durationMs: 100 });
  assert.equal(sent.length, 4 + 3);
  const ts = sent[0]!.packet.timestamp;
  const events = sent.map(({ packet }) => {
    assert.equal(packet.payloadType, 101);
    assert.equal(packet.timestamp, ts);
    return parseTelephoneEvent(packet.payload)!;
  });
  assert.deepEqual(
    events.map((e) => [e.event, e.end, e.duration]),
    [
      [7, false, 160],
      [7, false, 320],
      [7, false, 480],
      [7, false, 640],
      [7, true, 800],
      [7, true, 800],
      [7, true, 800],
    ],
  );
  assert.deepEqual(
    sent.map((s) => s.packet.marker),
    [true, false, false, false, false, false, false],
  );
  await sender.playPcm(new Int16Array(160));
  // Audio resumes after the tone, later by the whole frames the end packets took beyond it.
  const after = (sent.at(-1)!.packet.timestamp - ts) >>> 0;
  assert.ok(after >= 800 && after <= 800 + 3 * 160 && after % 160 === 0, `${after}`);
  assert.equal(sent.at(-1)!.packet.marker, true);
  assert.equal(sender.stats.digitsSent, 1);
  await assert.rejects(sender.sendDigit("x"), RangeError);
});

test("close rejects what is playing; without a destination nothing is sent but counted", async () => {
  const { sender } = setup();
  const play = sender.playPcm(new Int16Array(160 * 100));
  sender.close();
  await assert.rejects(play, { name: "AbortError" });
  await assert.rejects(sender.playPcm(new Int16Array(160)), { name: "AbortError" });
  assert.throws(() => sender.sendFrame(new Int16Array(0)), RangeError);
});

function manualSetup(cnPt?: number) {
  const clock = manualClock();
  const sent: Sent[] = [];
  const socket = {
    send(
      buf: Buffer,
      offset: number,
      length: number,
      _port: number,
      _addr: string,
      cb: (e: Error | null) => void,
    ) {
      const p = parseRtp(Buffer.from(buf.subarray(offset, offset + length)));
      assert.ok(!isRtpParseError(p));
      sent.push({ packet: p, at: clock.now() });
      queueMicrotask(() => cb(null));
    },
  } as unknown as Socket;
  const sender = new RtpSender({
    socket,
    destination: { address: "127.0.0.1", port: 9 },
    payloadType: 0,
    clock,
    random: () => 0.5,
  });
  sender.keepAlive(cnPt);
  return { clock, sent, sender };
}

test("keepAlive sends µ-law silence every 20 ms on one timeline while nothing else plays", async () => {
  const { clock, sent, sender } = manualSetup();
  await clock.advance(1000);
  assert.ok(sent.length >= 48 && sent.length <= 50, `${sent.length} packets in 1 s`);
  for (const s of sent) {
    assert.equal(s.packet.payloadType, 0);
    assert.equal(s.packet.payload.length, 160);
    assert.ok(
      s.packet.payload.every((b) => b === 0xff),
      "µ-law digital silence",
    );
  }
  for (let i = 1; i < sent.length; i++) {
    assert.equal(sent[i]!.packet.timestamp - sent[i - 1]!.packet.timestamp, 160);
    assert.equal((sent[i]!.packet.sequence - sent[i - 1]!.packet.sequence) & 0xffff, 1);
  }
  sender.close();
  const n = sent.length;
  await clock.advance(500);
  assert.equal(sent.length, n, "close() stops the keep-alive");
});

test("keepAlive steps aside while a prompt plays and while frames are sent from outside", async () => {
  const { clock, sent, sender } = manualSetup();
  await clock.advance(200);
  const before = sent.length;
  const tone = generateTone(400, 400, 8000, 0.5); // 20 frames
  const played = sender.playPcm(tone);
  await clock.advance(500);
  await played;
  const during = sent.slice(before).filter((s) => s.at < clock.now() - 100);
  const silent = during.filter((s) => s.packet.payload.every((b) => b === 0xff));
  assert.ok(silent.length <= 6, `${silent.length} silence frames mixed into a 400 ms prompt`);
  // Sending at real time from outside (a relay) keeps the keep-alive quiet.
  const relayStart = sent.length;
  for (let i = 0; i < 25; i++) {
    sender.sendFrame(tone.subarray(0, 160));
    await clock.advance(20);
  }
  const relayed = sent.slice(relayStart);
  assert.ok(relayed.length <= 26, `${relayed.length} packets for 25 relayed frames`);
  for (let i = 1; i < sent.length; i++) {
    assert.ok(
      (sent[i]!.packet.timestamp - sent[i - 1]!.packet.timestamp) >>> 0 >= 160,
      "the timeline never goes back",
    );
  }
  sender.close();
});

test("keepAlive with comfort noise negotiated sends PT 13 at the start and then sparsely", async () => {
  const { clock, sent, sender } = manualSetup(13);
  await clock.advance(1000);
  assert.ok(sent.length >= 4 && sent.length <= 6, `${sent.length} CN packets in 1 s`);
  for (const s of sent) {
    assert.equal(s.packet.payloadType, 13);
    assert.equal(s.packet.payload.length, 1, "one noise-level byte (RFC 3389 §3)");
  }
  sender.close();
});
