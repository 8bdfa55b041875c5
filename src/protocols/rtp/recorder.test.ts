import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { encodeAlaw } from "../../media/g711.ts";
import { crossCorrelate, generateSweep } from "../../media/pcm.ts";
import { readWavFile, wavToPcm16 } from "../../media/wav.ts";
import { type FrameInfo, JitterBuffer } from "./jitter.ts";
import { serializeRtp } from "./packet.ts";
import { RtpPortPool } from "./port-pool.ts";
import { CallRecorder } from "./recorder.ts";
import { RtpSession } from "./session.ts";

const dir = await mkdtemp(join(tmpdir(), "omnivox-rec-"));
after(() => rm(dir, { recursive: true, force: true }));

function randomPool(): RtpPortPool {
  const min = 61000 + 2 * Math.floor(Math.random() * 2000);
  return new RtpPortPool({ range: `${min}-${min + 39}`, host: "127.0.0.1" });
}

test("records a session's audio as it arrives, taps see the same frames, the tail is drained", async () => {
  const pool = randomPool();
  const b = await RtpSession.open(pool, { payloadType: 8 });
  assert.equal(pool.inUse, 1);
  const path = join(dir, "call.wav");
  const recorder = await CallRecorder.open(path, b);
  const tapped: Int16Array[] = [];
  recorder.tap((pcm) => tapped.push(pcm.slice()));
  const sweep = generateSweep(300, 3000, 600);
  // Packets 0..29 of a 600 ms sweep in PCMA, packet 27 lost: the last three frames wait in the
  // reorder window until close() drains them.
  const peer = createSocket("udp4");
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  for (let k = 0; k < 30; k++) {
    if (k === 27) continue;
    const payload = new Uint8Array(160);
    encodeAlaw(sweep.subarray(k * 160, (k + 1) * 160), payload);
    const packet = serializeRtp({
      payloadType: 8,
      sequence: k,
      timestamp: k * 160,
      ssrc: 9,
      payload,
    });
    peer.send(packet, b.localPort, "127.0.0.1");
  }
  for (let i = 0; i < 200 && b.stats.jitter.received < 29; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(b.stats.jitter.received, 29);
  assert.equal(recorder.durationMs, 27 * 20, "frames are written as they come out");
  const result = await recorder.close();
  assert.equal(result.durationMs, 600);
  assert.equal(recorder.durationMs, 600);
  assert.equal(result.filledFrames, 1);
  assert.equal(tapped.length, 30);
  const wav = await readWavFile(path);
  assert.equal(wav.encoding, "pcm16");
  assert.equal(wav.sampleRate, 8000);
  const recorded = wavToPcm16(wav);
  assert.deepEqual(recorded.subarray(0, 160), tapped[0]);
  assert.ok(recorded.subarray(27 * 160, 28 * 160).every((x) => x === 0));
  const c = crossCorrelate(sweep, recorded, 200);
  assert.ok(c.coefficient > 0.9 && c.lag === 0, `correlation ${c.coefficient} at ${c.lag}`);
  peer.close();
  b.close();
  await new Promise((r) => setImmediate(r));
  assert.equal(pool.inUse, 0, "the port goes back to the pool");
});

test("gaps are recorded as silence; a throwing tap does not stop the recording", async () => {
  const errors: unknown[] = [];
  const listeners: Array<(pcm: Int16Array, info: Readonly<FrameInfo>) => void> = [];
  const source = {
    addFrameListener: (l: (pcm: Int16Array, info: Readonly<FrameInfo>) => void) => {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
    drain: () => jb.drain(),
  };
  const jb = new JitterBuffer({
    windowMs: 40,
    onFrame: (pcm, info) => {
      for (const l of listeners) l(pcm, info);
    },
  });
  const recorder = await CallRecorder.open(join(dir, "gaps.wav"), source, {
    encoding: "ulaw",
    onError: (e) => errors.push(e),
  });
  recorder.tap(() => {
    throw new Error("tap failed");
  });
  for (const k of [0, 1, 2, 5, 6, 7]) {
    const p = serializeRtp({
      payloadType: 0,
      sequence: k,
      timestamp: k * 160,
      ssrc: 1,
      payload: new Uint8Array(160).fill(0x90),
    });
    jb.push(1, k, k * 160, 0, p.subarray(12));
  }
  const result = await recorder.close();
  assert.equal(result.durationMs, 160);
  assert.equal(result.filledFrames, 2);
  assert.equal(errors.length, 8);
  assert.equal(listeners.length, 0, "detached on close");
  const wav = await readWavFile(join(dir, "gaps.wav"));
  assert.equal(wav.encoding, "ulaw");
  const pcm = wavToPcm16(wav);
  assert.equal(pcm.length, 8 * 160);
  assert.ok(pcm.subarray(3 * 160, 5 * 160).every((s) => s === 0));
  assert.ok(pcm[0]! !== 0 && pcm[7 * 160]! !== 0);
});
