// Media liveness against sipp (scenario test/interop/sipp/quiet-caller.xml, a caller that never
// hangs up): after 3 s of tone and then no RTP (or only comfort noise) the message ends
// `voicemail.silenceMs` later, is kept at the tone's length, and omnivox sends the BYE; a call
// with no RTP at all ends after `sip.rtpTimeoutMs`; omnivox itself sends RTP every 20 ms while
// it records (the caller's SDP points at a socket the test reads).

import assert from "node:assert/strict";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateTone } from "../../src/media/pcm.ts";
import { RtpSender } from "../../src/protocols/rtp/sender.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const sipp = peer("sipp", "sip-tester");
const TONE_MS = 3000;
const SILENCE_MS = 2000;
let t: TestApp;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-liveness-"));
  // The RTP timeout is far away: these calls must end on silence, not on it.
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0", rtpTimeoutMs: 60_000 },
    voicemail: { silenceMs: SILENCE_MS },
  });
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" });
});

after(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface QuietCall {
  service?: string;
  /** The key sent by SIP INFO after the answer; # skips the greeting. */
  key?: string;
  mediaPort?: string;
  stream?: string;
  pts?: string;
  sdp?: string;
  answerHas?: string;
}

function quietCaller(app: TestApp, call: QuietCall, dir: string) {
  return runSipp(sipp.path!, app.app.ports.sip!, "quiet-caller.xml", {
    service: call.service ?? "15550001",
    keys: { caller: "15551234" },
    template: {
      key: call.key ?? "#",
      media_port: call.mediaPort ?? "[media_port]",
      stream: call.stream ?? "",
      pts: call.pts ?? "",
      sdp: call.sdp ?? "",
      answer_has: call.answerHas ?? "SIP/2.0 200",
    },
    timeoutS: 60,
    workDir: dir,
  });
}

async function toneFile(dir: string): Promise<string> {
  const tone = generateTone(700, TONE_MS, 8000, 0.5);
  const ulaw = new Uint8Array(tone.length);
  encodeUlaw(tone, ulaw);
  const file = join(dir, "tone.ulaw");
  await writeFile(file, ulaw);
  return file;
}

async function newMessage(before: number) {
  const messages = await t.app.store.voicemail.list("alice");
  assert.equal(messages.length, before + 1, "one message kept");
  return messages[0]!;
}

test("3 s of tone, then no RTP and no BYE: the message is kept and omnivox hangs up after silenceMs", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(work, "a-"));
  const file = await toneFile(dir);
  const count = (await t.app.store.voicemail.list("alice")).length;
  const started = Date.now();
  const run = await quietCaller(
    t,
    { stream: `<nop><action><exec rtp_stream="${file},1,0"/></action></nop>` },
    dir,
  );
  const elapsed = Date.now() - started;
  assert.equal(
    run.code,
    0,
    `sipp did not get omnivox's BYE:\n${run.errors}\n${run.output.slice(-2000)}`,
  );
  // Greeting skip and beep (~1.3 s), the tone, silenceMs, the goodbye prompt: far below the
  // 60 s RTP timeout, so it was the silence that ended the call.
  assert.ok(elapsed < 1300 + TONE_MS + SILENCE_MS + 20_000, `BYE after ${elapsed} ms`);
  const vm = await newMessage(count);
  assert.ok(Math.abs(vm.durationMs - TONE_MS) <= 400, `duration ${vm.durationMs} ms`);
});

/** The caller's media end, in the test: learns omnivox's RTP port from its first packet. */
class MediaEnd {
  readonly packets: Array<{ at: number; pt: number; seq: number; ts: number; silent: boolean }> =
    [];
  omnivox: RemoteInfo | undefined;
  constructor(readonly socket: Socket) {
    socket.on("message", (msg, rinfo) => {
      if (msg.length < 12) return;
      this.omnivox ??= rinfo;
      const payload = msg.subarray(12);
      this.packets.push({
        at: performance.now(),
        pt: msg[1]! & 0x7f,
        seq: msg.readUInt16BE(2),
        ts: msg.readUInt32BE(4),
        silent: payload.every((b) => b === 0xff || b === 0x7f),
      });
    });
  }

  static async open(): Promise<MediaEnd> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new MediaEnd(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /**
   * Resolves once the recording has begun: the beep (250 ms of tone, then 800 ms of silence in
   * the prompt itself) was the last sound, more than 1.1 s ago.
   */
  async recording(): Promise<number> {
    for (let i = 0; i < 3000; i++) {
      const loud = this.packets.filter((p) => p.pt === 0 && !p.silent);
      const last = loud[loud.length - 1];
      const now = performance.now();
      if (last && now - this.packets[0]!.at > 1000 && now - last.at > 1100) return now;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("omnivox never went quiet after its prompts");
  }

  close(): void {
    this.socket.close();
  }
}

async function speak(media: MediaEnd): Promise<RtpSender> {
  const sender = new RtpSender({
    socket: media.socket,
    destination: { address: media.omnivox!.address, port: media.omnivox!.port },
    payloadType: 0,
  });
  await sender.playPcm(generateTone(700, TONE_MS, 8000, 0.5));
  return sender;
}

test("omnivox sends RTP every 20 ms while it records; missing packets end the message", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(work, "c-"));
  const media = await MediaEnd.open();
  const count = (await t.app.store.voicemail.list("alice")).length;
  try {
    const running = quietCaller(t, { mediaPort: String(media.port) }, dir);
    const recStart = await media.recording();
    const sender = await speak(media);
    const run = await running;
    sender.close();
    assert.equal(run.code, 0, `sipp did not get omnivox's BYE:\n${run.errors}`);
    // From the start of the recording to the end of the silence that ended it, omnivox sent
    // silence on one timeline: a packet every 20 ms, none lost, no long gap.
    const during = media.packets.filter(
      (p) => p.at >= recStart && p.at <= recStart + TONE_MS + SILENCE_MS - 200,
    );
    const spanMs = TONE_MS + SILENCE_MS - 200;
    assert.ok(during.length >= (spanMs / 20) * 0.6, `${during.length} packets in ${spanMs} ms`);
    assert.ok(
      during.every((p) => p.pt === 0 && p.silent),
      "µ-law silence in the negotiated codec",
    );
    for (let i = 1; i < during.length; i++) {
      const gap = during[i]!.at - during[i - 1]!.at;
      assert.ok(gap < 500, `a ${gap.toFixed(0)} ms gap in omnivox's stream`);
      assert.equal(
        (during[i]!.seq - during[i - 1]!.seq) & 0xffff,
        1,
        "consecutive sequence numbers",
      );
      // 20 ms of timeline per packet; after a stall of the loaded machine, the time it lasted.
      const step = (during[i]!.ts - during[i - 1]!.ts) >>> 0;
      assert.ok(step >= 160 && step % 160 === 0 && step < 8000, `timestamp step ${step}`);
    }
    const vm = await newMessage(count);
    assert.ok(Math.abs(vm.durationMs - TONE_MS) <= 400, `duration ${vm.durationMs} ms`);
  } finally {
    media.close();
  }
});

test("comfort noise (RFC 3389, PT 13) after speech ends the message like silence", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(work, "d-"));
  const media = await MediaEnd.open();
  const count = (await t.app.store.voicemail.list("alice")).length;
  let cnSent = 0;
  let cnTimer: NodeJS.Timeout | undefined;
  try {
    const running = quietCaller(
      t,
      {
        mediaPort: String(media.port),
        pts: " 13",
        sdp: "\n      a=rtpmap:13 CN/8000",
        answerHas: "a=rtpmap:13 CN/8000",
      },
      dir,
    );
    await media.recording();
    const sender = await speak(media);
    // Then comfort noise every 100 ms until omnivox hangs up: packets keep coming, all silence.
    let seq = 1000;
    cnTimer = setInterval(() => {
      const pkt = Buffer.alloc(13);
      pkt[0] = 0x80;
      pkt[1] = 13;
      pkt.writeUInt16BE(seq++ & 0xffff, 2);
      pkt.writeUInt32BE((seq * 800) >>> 0, 4);
      pkt.writeUInt32BE(0x1234, 8);
      pkt[12] = 60; // noise level, -dBov
      media.socket.send(pkt, media.omnivox!.port, media.omnivox!.address);
      cnSent++;
    }, 100);
    const run = await running;
    sender.close();
    assert.equal(run.code, 0, `sipp did not get CN in the answer or omnivox's BYE:\n${run.errors}`);
    assert.ok(cnSent >= 5, `${cnSent} CN packets sent before the BYE`);
    const vm = await newMessage(count);
    assert.ok(Math.abs(vm.durationMs - TONE_MS) <= 400, `duration ${vm.durationMs} ms`);
    // CN was negotiated, so omnivox's own keep-alive is comfort noise too.
    assert.ok(
      media.packets.some((p) => p.pt === 13),
      "omnivox sent comfort noise while it recorded",
    );
  } finally {
    clearInterval(cnTimer);
    media.close();
  }
});

test("no RTP for sip.rtpTimeoutMs ends the call with omnivox's BYE; what was recorded is kept", {
  skip: sipp.skip,
  timeout: 120_000,
}, async () => {
  // Silence alone would take 20 s here: the timeout (4 s) must be what ends the calls.
  const app = await startTestApp({
    sip: { listen: "127.0.0.1:0", rtpTimeoutMs: 4000 },
    voicemail: { silenceMs: 20_000 },
  });
  const dir = await mkdtemp(join(work, "b-"));
  try {
    await app.addUser({
      id: "alice",
      phones: ["+15550001"],
      password: "wonderland",
      pin: "123456",
    });
    let started = Date.now();
    let run = await quietCaller(app, {}, join(dir));
    let elapsed = Date.now() - started;
    assert.equal(run.code, 0, `sipp did not get omnivox's BYE:\n${run.errors}`);
    assert.ok(elapsed < 15_000, `BYE after ${elapsed} ms; silence would have taken 20 s`);
    // Nothing was said: no message (minMessageMs and the no-speech rule apply as always).
    assert.equal((await app.app.store.voicemail.list("alice")).length, 0);

    // 3 s of tone, then nothing: the timeout ends the call and the tone is kept.
    const second = await mkdtemp(join(work, "b2-"));
    const file = await toneFile(second);
    started = Date.now();
    run = await quietCaller(
      app,
      { stream: `<nop><action><exec rtp_stream="${file},1,0"/></action></nop>` },
      second,
    );
    elapsed = Date.now() - started;
    assert.equal(run.code, 0, `sipp did not get omnivox's BYE:\n${run.errors}`);
    assert.ok(elapsed < 1300 + TONE_MS + 15_000, `BYE after ${elapsed} ms`);
    const messages = await app.app.store.voicemail.list("alice");
    assert.equal(messages.length, 1, "the recording is kept when the RTP timeout ends the call");
    assert.ok(Math.abs(messages[0]!.durationMs - TONE_MS) <= 400, `${messages[0]!.durationMs} ms`);
  } finally {
    await app.stop();
  }
});

test("the mailbox sends RTP every 20 ms while it waits for keys, until its BYE", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const app = await startTestApp({
    sip: { listen: "127.0.0.1:0", rtpTimeoutMs: 4000, accessNumber: "8000" },
  });
  const dir = await mkdtemp(join(work, "e-"));
  const media = await MediaEnd.open();
  try {
    // "1" starts keying a mailbox number; omnivox waits for more keys, playing nothing.
    const started = performance.now();
    const run = await quietCaller(
      app,
      { service: "8000", key: "1", mediaPort: String(media.port) },
      dir,
    );
    const elapsed = performance.now() - started;
    assert.equal(run.code, 0, `sipp did not get omnivox's BYE:\n${run.errors}`);
    assert.ok(elapsed < 20_000, `BYE after ${elapsed.toFixed(0)} ms`);
    const packets = media.packets;
    assert.ok(packets.length > 0, "omnivox sent RTP");
    const span = packets[packets.length - 1]!.at - packets[0]!.at;
    assert.ok(span >= 2000, `RTP for ${span.toFixed(0)} ms`);
    assert.ok(
      packets.length >= (span / 20) * 0.6,
      `${packets.length} packets in ${span.toFixed(0)} ms`,
    );
    for (let i = 1; i < packets.length; i++) {
      const gap = packets[i]!.at - packets[i - 1]!.at;
      assert.ok(gap < 500, `a ${gap.toFixed(0)} ms gap in omnivox's stream`);
      assert.equal((packets[i]!.seq - packets[i - 1]!.seq) & 0xffff, 1);
    }
  } finally {
    media.close();
    await app.stop();
  }
});
