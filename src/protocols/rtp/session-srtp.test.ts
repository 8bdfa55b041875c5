// RtpSession with SRTP on real UDP sockets: audio and digits get through encrypted, what is on the
// wire is not the G.711 that was sent, and plain, forged or replayed packets are dropped and
// counted without moving the latch.
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, test } from "node:test";
import { until } from "../../../test/support/until.ts";
import { encodeUlaw } from "../../media/g711.ts";
import { crossCorrelate, generateTone } from "../../media/pcm.ts";
import { serializeRtp } from "./packet.ts";
import type { RtpClock } from "./sender.ts";
import { RtpSession, type RtpSessionOptions } from "./session.ts";
import { SrtpSession } from "./srtp.ts";

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

const keyA = Buffer.alloc(30, 0xa5);
const keyB = Buffer.alloc(30, 0x5a);
const suite = "AES_CM_128_HMAC_SHA1_80" as const;

async function leg(srtp: SrtpSession | undefined, options: Partial<RtpSessionOptions> = {}) {
  const frames: Int16Array[] = [];
  const digits: string[] = [];
  const session = new RtpSession({
    socket: await bound(),
    payloadType: 0,
    telephoneEventPt: 101,
    clock: fastClock(),
    onFrame: (pcm) => frames.push(pcm.slice()),
    onDigit: (d) => digits.push(d),
    ...(srtp ? { srtp } : {}),
    ...options,
  });
  open.push(session);
  return { session, frames, digits };
}

function joined(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.length * 160);
  for (const [i, f] of frames.entries()) out.set(f, i * 160);
  return out;
}

test("audio and digits cross an SRTP session; the wire carries no plain G.711", async () => {
  const b = await leg(new SrtpSession({ suite, sendKey: keyB, receiveKey: keyA }));
  const port = b.session.localPort;
  // A tap in the middle sees every packet a sends, then forwards it to b unchanged.
  const tap = await bound();
  const seen: Buffer[] = [];
  tap.on("message", (msg) => {
    seen.push(Buffer.from(msg));
    tap.send(msg, port, "127.0.0.1");
  });
  const a = await leg(new SrtpSession({ suite, sendKey: keyA, receiveKey: keyB }), {
    remote: { address: "127.0.0.1", port: tap.address().port },
  });
  const tone = generateTone(440, 1000, 8000, 0.5);
  await a.session.playPcm(tone);
  await until("50 packets", () => b.session.stats.jitter.received === 50, 2000);
  b.session.drain();
  const { coefficient, lag } = crossCorrelate(tone, joined(b.frames), 400);
  assert.ok(coefficient > 0.9, `correlation ${coefficient}`);
  assert.equal(lag, 0);

  // Every packet on the wire is 12 + 160 + 10 octets and none carries the µ-law of the tone.
  const ulaw = new Uint8Array(tone.length);
  encodeUlaw(tone, ulaw);
  assert.equal(seen.length, 50);
  for (const [i, p] of seen.entries()) {
    assert.equal(p.length, 12 + 160 + 10);
    const plain = Buffer.from(ulaw.subarray(i * 160, (i + 1) * 160));
    let same = 0;
    for (let j = 0; j < 160; j++) if (p[12 + j] === plain[j]) same++;
    assert.ok(same < 16, `packet ${i}: ${same} of 160 payload octets are the plain G.711`);
  }
  assert.equal(a.session.stats.srtp?.protected, 50);
  assert.equal(b.session.stats.srtp?.unprotected, 50);

  for (const d of "42#") await a.session.sendDigit(d, { durationMs: 80 });
  await until("3 digits", () => b.digits.length === 3, 2000);
  assert.deepEqual(b.digits, [..."42#"]);

  // A replay of captured packets changes nothing.
  const before = b.session.stats.jitter.received;
  for (const p of seen.slice(0, 10)) tap.send(p, port, "127.0.0.1");
  await until("replays dropped", () => (b.session.stats.srtp?.replays ?? 0) === 10, 2000);
  assert.equal(b.session.stats.jitter.received, before);
});

test("plain RTP and forged packets to an SRTP session are dropped, counted, and latch nothing", async () => {
  const b = await leg(new SrtpSession({ suite, sendKey: keyB, receiveKey: keyA }));
  const intruder = await bound();
  const plain = serializeRtp({
    payloadType: 0,
    sequence: 1,
    timestamp: 0,
    ssrc: 9,
    payload: new Uint8Array(160).fill(0x55),
  });
  const forged = Buffer.concat([plain, Buffer.alloc(10, 0x11)]);
  const datagrams = [plain, forged, Buffer.from([0x80, 0, 0, 1]), Buffer.alloc(3)];
  for (const d of datagrams) intruder.send(d, b.session.localPort, "127.0.0.1");
  await until("all datagrams", () => b.session.stats.datagrams === datagrams.length, 2000);
  const s = b.session.stats;
  assert.equal(s.srtp?.authFailures, 2);
  assert.equal(s.srtp?.malformed, 2);
  assert.equal(s.latches, 0);
  const latchedTo = b.session.remote;
  assert.equal(latchedTo, null);
  assert.equal(b.frames.length, 0);
  // The real peer still gets through afterwards.
  const a = await leg(new SrtpSession({ suite, sendKey: keyA, receiveKey: keyB }), {
    remote: { address: "127.0.0.1", port: b.session.localPort },
  });
  await a.session.playPcm(new Int16Array(160 * 5).fill(3000));
  await until("audio", () => b.session.stats.jitter.received === 5, 2000);
  assert.equal(b.session.remote?.port, a.session.localPort);
});
