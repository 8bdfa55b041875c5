import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { alawToLinear, ulawToLinear } from "../../media/g711.ts";
import {
  type FrameInfo,
  JitterBuffer,
  type JitterBufferOptions,
  PT_PCMA,
  PT_PCMU,
} from "./jitter.ts";
import { isRtpParseError, parseRtp, serializeRtp } from "./packet.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Out {
  frames: Int16Array[];
  infos: FrameInfo[];
  jb: JitterBuffer;
}

function setup(options: Partial<JitterBufferOptions> = {}): Out {
  const out: Out = { frames: [], infos: [], jb: null as unknown as JitterBuffer };
  out.jb = new JitterBuffer({
    windowMs: 60,
    ...options,
    onFrame: (pcm, info) => {
      assert.equal(pcm.length, 160);
      out.frames.push(pcm.slice());
      out.infos.push({ ...info });
    },
  });
  return out;
}

// Frame k of a stream carries one distinct G.711 code (k mod 100), so each output frame names its source.
const code = (k: number) => 0x80 + (k % 100);
const decoded = (k: number, pt: number) => (pt === PT_PCMU ? ulawToLinear : alawToLinear)(code(k));

function packet(
  k: number,
  o: { ssrc?: number; seq0?: number; ts0?: number; pt?: number; samples?: number } = {},
) {
  const samples = o.samples ?? 160;
  const pt = o.pt ?? PT_PCMU;
  const buf = serializeRtp({
    payloadType: pt,
    sequence: ((o.seq0 ?? 1000) + k) & 0xffff,
    timestamp: ((o.ts0 ?? 5000) + k * samples) >>> 0,
    ssrc: o.ssrc ?? 0x1234,
    payload: new Uint8Array(samples).fill(code(k)),
  });
  const p = parseRtp(buf);
  assert.ok(!isRtpParseError(p));
  return p;
}

function feed(jb: JitterBuffer, order: number[], o: Parameters<typeof packet>[1] = {}): void {
  for (const k of order) {
    const p = packet(k, o);
    jb.push(p.ssrc, p.sequence, p.timestamp, p.payloadType, p.payload);
  }
}

/** The frame index (mod 100) each output frame came from, -1 for silence. */
function sources(frames: Int16Array[], pt = PT_PCMU): number[] {
  return frames.map((f) => {
    if (f.every((s) => s === 0)) return -1;
    const k = range(100).findIndex((i) => decoded(i, pt) === f[0]);
    assert.ok(
      f.every((s) => s === f[0]),
      "a frame holds one packet's code",
    );
    return k;
  });
}

describe("JitterBuffer", () => {
  test("in-order packets come out unchanged, one frame per packet, consecutive timestamps", () => {
    const o = setup();
    feed(o.jb, range(10));
    o.jb.drain();
    assert.deepEqual(sources(o.frames), range(10));
    assert.deepEqual(
      o.infos.map((i) => i.timestamp),
      range(10).map((k) => 5000 + 160 * k),
    );
    assert.equal(o.jb.stats.filledFrames, 0);
    assert.equal(o.frames[3]![100], decoded(3, PT_PCMU));
  });

  test("an in-order stream is passed on without waiting once the first window is over", () => {
    const o = setup();
    feed(o.jb, range(3));
    assert.equal(o.frames.length, 0, "the first frame waits for the 60 ms window");
    feed(o.jb, [3]);
    assert.equal(o.frames.length, 4, "then what is complete goes out at once");
    feed(o.jb, [4, 5]);
    assert.equal(o.frames.length, 6, "then complete frames go out as they arrive");
  });

  test("packets reordered within the window are put back in order", () => {
    const o = setup();
    feed(o.jb, [1, 0, 2, 4, 3, 5, 8, 6, 7, 9]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), range(10));
    assert.equal(o.jb.stats.late, 0);
    assert.equal(o.jb.stats.filledFrames, 0);
  });

  test("lost packets become silent frames, counted and flagged", () => {
    const o = setup();
    feed(o.jb, [0, 1, 2, 4, 5, 7, 8, 9]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), [0, 1, 2, -1, 4, 5, -1, 7, 8, 9]);
    assert.equal(o.jb.stats.filledFrames, 2);
    assert.deepEqual(
      o.infos.map((i, k) => (i.filled ? k : -1)).filter((k) => k >= 0),
      [3, 6],
    );
    assert.ok(o.frames[3]!.every((s) => s === 0));
  });

  test("duplicates are dropped and counted", () => {
    const o = setup();
    feed(o.jb, [0, 1, 1, 2, 3, 2, 4, 5, 0, 5]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), range(6));
    assert.equal(o.jb.stats.duplicates + o.jb.stats.late, 4);
    assert.equal(o.jb.stats.received, 10);
  });

  test("a packet behind the output point is dropped as late and its frame stays filled", () => {
    const o = setup();
    feed(o.jb, [0, 1, 3, 4, 5, 6, 2, 7]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), [0, 1, -1, 3, 4, 5, 6, 7]);
    assert.equal(o.jb.stats.late, 1);
    assert.equal(o.jb.stats.filledFrames, 1);
  });

  test("an SSRC change flushes the old source and starts the new one without a gap", () => {
    const o = setup();
    feed(o.jb, [0, 1, 2, 3, 4]);
    feed(o.jb, [5, 6, 7, 8, 9], { ssrc: 0x9999, seq0: 7, ts0: 0xdead0000 });
    o.jb.drain();
    assert.deepEqual(sources(o.frames), range(10));
    assert.equal(o.jb.stats.ssrcChanges, 1);
    assert.equal(o.jb.stats.filledFrames, 0);
    assert.equal(o.infos[5]!.timestamp, (0xdead0000 + 5 * 160) >>> 0);
  });

  test("sequence and timestamp wrap-around with reordering across the wrap", () => {
    const o = setup();
    const wrap = { seq0: 65530, ts0: 0xffffffff - 3 * 160 + 1 };
    feed(o.jb, [0, 1, 2, 4, 3, 6, 5, 7, 8, 9, 10, 11], wrap);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), range(12));
    assert.equal(o.jb.stats.late + o.jb.stats.duplicates + o.jb.stats.filledFrames, 0);
    assert.equal(o.infos[3]!.timestamp, 0);
  });

  test("a forward jump under maxJump is filled; one beyond it starts a new timeline", () => {
    const o = setup({ maxJumpMs: 2000 });
    feed(o.jb, [0, 1, 2]);
    feed(o.jb, [23, 24, 25]); // 400 ms of silence suppression
    assert.equal(o.jb.stats.timelineResets, 0);
    feed(o.jb, [500, 501]); // 10 s later: a new timeline, nothing invented
    o.jb.drain();
    assert.equal(o.jb.stats.timelineResets, 1);
    assert.equal(o.frames.length, 3 + 20 + 3 + 2);
    assert.equal(o.jb.stats.filledFrames, 20);
    assert.deepEqual(sources(o.frames).slice(-3), [25, 0, 1]);
  });

  test("drain outputs the window but invents no tail, and a later packet starts afresh", () => {
    const o = setup();
    feed(o.jb, [0, 1, 2, 4]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames), [0, 1, 2, -1, 4]);
    assert.equal(o.jb.bufferedSamples, 0);
    feed(o.jb, [50]);
    o.jb.drain();
    assert.deepEqual(sources(o.frames).slice(5), [50]);
  });

  test("10 ms packets fill 20 ms frames; PCMA is decoded by its payload type", () => {
    const o = setup();
    feed(o.jb, range(8), { samples: 80, pt: PT_PCMA });
    o.jb.drain();
    assert.equal(o.frames.length, 4);
    assert.equal(o.jb.stats.filledFrames, 0);
    assert.equal(o.frames[0]![0], decoded(0, PT_PCMA));
    assert.equal(o.frames[0]![159], decoded(1, PT_PCMA));
    assert.equal(o.frames[3]![159], decoded(7, PT_PCMA));
  });

  test("a source that restarts its clock backwards under the same SSRC is followed after a run of late packets", () => {
    const o = setup();
    feed(o.jb, range(10), { ts0: 900_000 });
    feed(o.jb, range(40), { ts0: 900_000 - 8000, seq0: 5000 });
    o.jb.drain();
    assert.equal(o.jb.stats.late, 25);
    assert.equal(o.jb.stats.timelineResets, 1);
    assert.equal(o.frames.length, 10 + 16, "the 25th late packet begins the new timeline");
  });

  test("garbage input never throws and every frame is 160 samples", () => {
    const o = setup();
    const jb = o.jb;
    jb.push(1, 1, 1, 13, new Uint8Array(1)); // comfort noise
    jb.push(1, 1, 1, PT_PCMU, new Uint8Array(0));
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      const r = rnd();
      const ts = r & 1 ? (i * 160 + (rnd() % 2000)) >>> 0 : rnd();
      jb.push(r & 6 ? 42 : rnd(), rnd() & 0xffff, ts, r & 8 ? 0 : 8, new Uint8Array(rnd() % 2000));
    }
    jb.drain();
    assert.equal(jb.stats.unsupported >= 2, true);
    assert.equal(jb.stats.frames, o.frames.length);
  });
});
