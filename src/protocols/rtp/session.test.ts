import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, test } from "node:test";
import { until } from "../../../test/support/until.ts";
import { encodeUlaw } from "../../media/g711.ts";
import { crossCorrelate, generateTone } from "../../media/pcm.ts";
import { serializeRtp } from "./packet.ts";
import { type RtpClock, systemClock } from "./sender.ts";
import { RtpSession, type RtpSessionOptions } from "./session.ts";

// Pacing is tested in sender.test.ts; here timers run at once so seconds of audio take milliseconds.
function fastClock(): RtpClock {
  const clock = {
    t: 0,
    now: () => clock.t,
    setTimeout: (fn: () => void, ms: number) =>
      setTimeout(() => {
        clock.t += ms;
        fn();
      }, 0),
    clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  };
  return clock;
}

const open: RtpSession[] = [];
const sockets: Socket[] = [];
after(() => {
  for (const s of open) s.close();
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // closed by its session
    }
  }
});

async function bound(): Promise<Socket> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

interface Leg {
  session: RtpSession;
  frames: Int16Array[];
  digits: string[];
}

async function leg(options: Partial<RtpSessionOptions> = {}): Promise<Leg> {
  const frames: Int16Array[] = [];
  const digits: string[] = [];
  const session = new RtpSession({
    socket: await bound(),
    payloadType: 0,
    telephoneEventPt: 101,
    clock: fastClock(),
    onFrame: (pcm) => frames.push(pcm.slice()),
    onDigit: (d) => digits.push(d),
    ...options,
  });
  open.push(session);
  return { session, frames, digits };
}

const addr = (s: RtpSession) => ({ address: "127.0.0.1", port: s.localPort });

function joined(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.length * 160);
  for (const [i, f] of frames.entries()) out.set(f, i * 160);
  return out;
}

for (const payloadType of [0, 8]) {
  test(`a tone played by one session is received by the other (${payloadType ? "PCMA" : "PCMU"})`, async () => {
    const b = await leg({ payloadType });
    const a = await leg({ payloadType, remote: addr(b.session) });
    const tone = generateTone(440, 1000, 8000, 0.5);
    await a.session.playPcm(tone);
    await until("50 packets", () => b.session.stats.jitter.received === 50, 2000);
    b.session.drain();
    assert.equal(b.frames.length, 50);
    assert.equal(b.session.stats.jitter.filledFrames, 0);
    const { coefficient, lag } = crossCorrelate(tone, joined(b.frames), 400);
    assert.ok(coefficient > 0.9, `correlation ${coefficient}`);
    assert.equal(lag, 0);
  });
}

test("symmetric RTP: replies go to the source of the first packet, not to the SDP address", async () => {
  const b = await leg();
  const a = await leg({ remote: { address: "127.0.0.1", port: 9 } }); // stale SDP address
  assert.equal(b.session.remote, null);
  b.session.sendFrame(new Int16Array(160));
  assert.equal(b.session.stats.send.unsent, 1, "nowhere to send before latching");
  const c = await leg(); // the peer's real media port
  c.session.socket.send(
    serializeRtp({
      payloadType: 0,
      sequence: 1,
      timestamp: 0,
      ssrc: 77,
      payload: new Uint8Array(160),
    }),
    a.session.localPort,
    "127.0.0.1",
  );
  await until("a to latch", () => a.session.stats.latches === 1, 2000);
  assert.deepEqual(a.session.remote, addr(c.session));
  a.session.sendFrame(new Int16Array(160).fill(1000), true);
  await until("the reply", () => c.session.stats.jitter.received === 1, 2000);
  assert.equal(b.session.stats.datagrams, 0);
});

test("a known SSRC from another address is ignored; a new SSRC from a new source re-latches", async () => {
  const a = await leg();
  const x = await bound();
  const y = await bound();
  const pkt = (ssrc: number, sequence: number) =>
    serializeRtp({
      payloadType: 0,
      sequence,
      timestamp: sequence * 160,
      ssrc,
      payload: new Uint8Array(160),
    });
  x.send(pkt(1, 1), a.session.localPort, "127.0.0.1");
  await until("latch to x", () => a.session.stats.latches === 1, 2000);
  y.send(pkt(1, 2), a.session.localPort, "127.0.0.1");
  await until("y ignored", () => a.session.stats.wrongSource === 1, 2000);
  assert.equal(a.session.remote?.port, x.address().port);
  y.send(pkt(2, 3), a.session.localPort, "127.0.0.1");
  await until("re-latch to y", () => a.session.stats.latches === 2, 2000);
  assert.equal(a.session.remote?.port, y.address().port);
  assert.equal(a.session.stats.jitter.ssrcChanges, 1);
});

test("DTMF digits sent are received once each", async () => {
  const b = await leg();
  const a = await leg({ remote: addr(b.session) });
  for (const d of "15#*9") await a.session.sendDigit(d, { durationMs: 80 });
  await until("5 digits", () => b.digits.length === 5, 2000);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(b.digits, [..."15#*9"]);
  assert.equal(b.session.stats.jitter.received, 0, "events do not reach the audio path");
});

test("garbage, RTCP and foreign payload types are counted and ignored, and latch nothing", async () => {
  const b = await leg();
  const junk = await bound();
  const datagrams = [
    Buffer.alloc(0),
    Buffer.from("INVITE sip:x SIP/2.0\r\n\r\n"),
    Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), // RTCP SR
    Buffer.from([0xbf, 0, 0, 1]), // truncated CSRC list
    serializeRtp({
      payloadType: 18, // G.729, not negotiated
      sequence: 1,
      timestamp: 1,
      ssrc: 5,
      payload: new Uint8Array(10),
    }),
    serializeRtp({
      payloadType: 13, // comfort noise: silence, counted apart
      sequence: 2,
      timestamp: 1,
      ssrc: 5,
      payload: Uint8Array.of(40),
    }),
    serializeRtp({
      payloadType: 101,
      sequence: 1,
      timestamp: 1,
      ssrc: 5,
      payload: Uint8Array.of(1),
    }),
  ];
  for (const d of datagrams) junk.send(d, b.session.localPort, "127.0.0.1");
  await until("all datagrams", () => b.session.stats.datagrams === datagrams.length, 2000);
  const s = b.session.stats;
  assert.equal(s.garbage, 4);
  assert.equal(s.rtcp, 1);
  assert.equal(s.otherPayloadType, 1);
  assert.equal(s.comfortNoise, 1);
  assert.equal(s.latches, 0);
  assert.equal(b.session.remote, null);
  assert.equal(b.frames.length + b.digits.length, 0);
  // The session still works after the junk.
  const a = await leg({ remote: addr(b.session) });
  await a.session.playPcm(new Int16Array(160 * 5).fill(3000));
  await until("audio after junk", () => b.session.stats.jitter.received === 5, 2000);
  assert.deepEqual(b.session.remote, addr(a.session));
});

test("liveness: comfort noise and missing packets become silence frames on the wall clock", async () => {
  const b = await leg({ clock: systemClock });
  b.session.startLiveness({ fillSilence: true });
  const x = await bound();
  const t0 = performance.now();
  const tone = generateTone(440, 400, 8000, 0.5);
  const ulaw = new Uint8Array(160);
  for (let i = 0; i < 20; i++) {
    encodeUlaw(tone.subarray(i * 160, (i + 1) * 160), ulaw);
    const pkt = { payloadType: 0, sequence: i, timestamp: i * 160, ssrc: 5, payload: ulaw };
    x.send(serializeRtp(pkt), b.session.localPort, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 20));
  }
  // Then comfort noise (RFC 3389: one level byte), then nothing at all.
  for (let i = 0; i < 5; i++) {
    const cn = { payloadType: 13, sequence: 20 + i, timestamp: (20 + i * 5) * 160, ssrc: 5 };
    x.send(serializeRtp({ ...cn, payload: Uint8Array.of(60) }), b.session.localPort, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  const elapsed = performance.now() - t0;
  const stats = b.session.stats;
  assert.equal(stats.comfortNoise, 5);
  assert.equal(stats.otherPayloadType, 0, "CN is not an unknown payload type");
  const voiced = b.frames.filter((f) => f.some((s) => Math.abs(s) > 1000)).length;
  assert.ok(voiced >= 18, `${voiced} frames of the tone`);
  assert.ok(stats.idleFrames > 0, "silence was put in for the packets that did not come");
  // Every frame stands for 20 ms of the call: the count follows the wall clock.
  const expected = elapsed / 20;
  assert.ok(
    b.frames.length <= expected + 2 && b.frames.length >= expected - 20,
    `${b.frames.length} frames in ${elapsed.toFixed(0)} ms`,
  );
  const last = b.frames.slice(-10);
  assert.ok(
    last.every((f) => f.every((s) => s === 0)),
    "the tail is digital silence",
  );
});

test("liveness: no RTP for the timeout is reported once; any RTP, CN included, keeps it off", async () => {
  const quiet = await leg({ clock: systemClock });
  const talking = await leg({ clock: systemClock });
  let quietFired = 0;
  let talkingFired = 0;
  quiet.session.startLiveness({ timeoutMs: 300, onTimeout: () => quietFired++ });
  talking.session.startLiveness({ timeoutMs: 300, onTimeout: () => talkingFired++ });
  const x = await bound();
  for (let i = 0; i < 10; i++) {
    const cn = { payloadType: 13, sequence: i, timestamp: i * 800, ssrc: 9 };
    x.send(
      serializeRtp({ ...cn, payload: Uint8Array.of(60) }),
      talking.session.localPort,
      "127.0.0.1",
    );
    await new Promise((r) => setTimeout(r, 80));
  }
  assert.equal(quietFired, 1);
  assert.equal(talkingFired, 0);
});

test("liveness: keepAlive sends RTP to the peer while the application sends nothing", async () => {
  const peer = await bound();
  const got: number[] = [];
  peer.on("message", (msg) => got.push(msg[1]! & 0x7f));
  const a = await leg({
    clock: systemClock,
    remote: { address: "127.0.0.1", port: peer.address().port },
  });
  a.session.startLiveness({ keepAlive: true });
  await until("10 packets", () => got.length >= 10, 2000);
  assert.ok(
    got.every((pt) => pt === 0),
    "silence in the negotiated codec",
  );
});
