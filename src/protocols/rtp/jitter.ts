// Reorder window for 8 kHz G.711 (PCMU/PCMA, RFC 3551 §4.5.14) in 20 ms frames: packets are placed
// by RTP timestamp (RFC 3550 §5.1) into a fixed ring and come out as a gapless run of frames.
import { ALAW_DECODE_TABLE, ULAW_DECODE_TABLE } from "../../media/g711.ts";
import { FRAME_SAMPLES } from "../../media/pcm.ts";
import { tsDiff } from "./sequence.ts";

export const PT_PCMU = 0;
export const PT_PCMA = 8;

export interface FrameInfo {
  /** RTP timestamp of the frame's first sample. */
  timestamp: number;
  /** True when no sample of the frame arrived and it is silence put in its place. */
  filled: boolean;
  /**
   * True for silence the session's wall clock put out while no packets came at all (see
   * idle-fill.ts), as opposed to a gap inside a stream; a relay can leave those to its sender.
   */
  idle?: boolean;
}

/** Gets each output frame; `pcm` and `info` are reused for the next frame, so copy to keep. */
export type FrameListener = (pcm: Int16Array, info: Readonly<FrameInfo>) => void;

export interface JitterStats {
  /** Packets pushed, whatever became of them. */
  received: number;
  duplicates: number;
  /** Packets behind the output point, dropped. */
  late: number;
  /** Frames sent to the listener, filled ones included. */
  frames: number;
  filledFrames: number;
  ssrcChanges: number;
  /** New timelines started by a timestamp jump or a run of late packets within one SSRC. */
  timelineResets: number;
  /** Packets of another payload type or empty, ignored. */
  unsupported: number;
}

export interface JitterBufferOptions {
  onFrame: FrameListener;
  /** How long a missing frame is waited for before silence takes its place; default 80 ms. */
  windowMs?: number;
  /** Timestamp jumps beyond this start a new timeline instead of being filled; default 2000 ms. */
  maxJumpMs?: number;
}

const FRAME = FRAME_SAMPLES;
const RATE_PER_MS = 8;
/** Largest payload placed (240 ms); a longer one is cut, since a 1500-byte MTU holds 1488. */
const MAX_PACKET_FRAMES = 12;
/** Consecutive late packets that mean the source restarted its clock without a new SSRC. */
const LATE_RUN_RESET = 25;
const SEEN_SLOTS = 128; // sequence numbers remembered for duplicate detection

/**
 * Missing frames are replaced by digital silence (no comfort noise: recordings and speech
 * recognition are better served by true zeros). Frames that arrive complete at the head are
 * passed on at once, so an in-order stream adds no delay after the first window; a missing
 * frame holds the output until packets `windowMs` beyond it have arrived. Output is driven by
 * arriving packets, not a clock: what is in the window when a stream stops comes out on drain().
 */
export class JitterBuffer {
  readonly stats: JitterStats = {
    received: 0,
    duplicates: 0,
    late: 0,
    frames: 0,
    filledFrames: 0,
    ssrcChanges: 0,
    timelineResets: 0,
    unsupported: 0,
  };
  readonly #onFrame: FrameListener;
  readonly #window: number; // in samples
  readonly #maxJump: number;
  readonly #capacity: number; // frames in the ring
  readonly #ringSamples: number;
  readonly #ring: Int16Array;
  readonly #views: Int16Array[];
  readonly #counts: Uint16Array; // samples received per ring frame
  readonly #seen = new Int32Array(SEEN_SLOTS).fill(-1);
  readonly #info: FrameInfo = { timestamp: 0, filled: false };
  #active = false;
  #ssrc = 0;
  #outTs = 0; // timestamp of the head frame, the next to be output
  #outSlot = 0;
  #highest = 0; // end of the newest sample received, in samples after #outTs
  #emitted = false; // whether this timeline has output a frame yet
  #lateRun = 0;

  constructor(options: JitterBufferOptions) {
    const windowMs = options.windowMs ?? 80;
    const maxJumpMs = options.maxJumpMs ?? 2000;
    if (!(windowMs >= 0 && windowMs <= 1000)) throw new RangeError(`bad windowMs ${windowMs}`);
    if (!(maxJumpMs >= windowMs && maxJumpMs <= 60_000)) {
      throw new RangeError(`bad maxJumpMs ${maxJumpMs}`);
    }
    this.#onFrame = options.onFrame;
    const windowFrames = Math.ceil((windowMs * RATE_PER_MS) / FRAME);
    this.#window = windowFrames * FRAME;
    this.#maxJump = maxJumpMs * RATE_PER_MS;
    this.#capacity = windowFrames + MAX_PACKET_FRAMES + 1;
    this.#ringSamples = this.#capacity * FRAME;
    this.#ring = new Int16Array(this.#ringSamples);
    this.#counts = new Uint16Array(this.#capacity);
    this.#views = [];
    for (let i = 0; i < this.#capacity; i++) {
      this.#views.push(this.#ring.subarray(i * FRAME, (i + 1) * FRAME));
    }
  }

  /** Places one packet's G.711 payload, bytes payload[start, end), decoded by payload type. */
  push(
    ssrc: number,
    sequence: number,
    timestamp: number,
    payloadType: number,
    payload: Uint8Array,
    start = 0,
    end: number = payload.length,
  ): void {
    const stats = this.stats;
    stats.received++;
    const table =
      payloadType === PT_PCMU
        ? ULAW_DECODE_TABLE
        : payloadType === PT_PCMA
          ? ALAW_DECODE_TABLE
          : null;
    let length = Math.min(end - start, MAX_PACKET_FRAMES * FRAME);
    if (table === null || !(length > 0)) {
      stats.unsupported++;
      return;
    }
    if (!this.#active) {
      this.#start(ssrc, timestamp);
    } else if (ssrc !== this.#ssrc) {
      // Another source's timestamps are unrelated to ours: no gap can be computed or invented.
      this.#flush();
      stats.ssrcChanges++;
      this.#start(ssrc, timestamp);
    }
    const seen = sequence & (SEEN_SLOTS - 1);
    if (this.#seen[seen] === sequence) {
      stats.duplicates++;
      return;
    }
    let offset = tsDiff(timestamp, this.#outTs);
    if (offset > this.#maxJump || offset < -this.#maxJump) {
      this.#restart(ssrc, timestamp);
      offset = 0;
    } else if (offset < 0) {
      const back = Math.ceil(-offset / FRAME) * FRAME;
      if (!this.#emitted && back <= this.#window && this.#highest + back <= this.#ringSamples) {
        this.#rewind(back); // reordered before the first output: the timeline can still start earlier
        offset += back;
      } else if (++this.#lateRun < LATE_RUN_RESET) {
        stats.late++;
        return;
      } else {
        stats.late++;
        this.#restart(ssrc, timestamp);
        offset = 0;
      }
    }
    this.#lateRun = 0;
    this.#seen[seen] = sequence;
    if (end - start > length) end = start + length;
    // A jump ahead beyond the ring (silence suppression, loss) pushes the missing frames out.
    while (offset + length > this.#ringSamples) {
      this.#release();
      offset -= FRAME;
    }
    this.#write(table, payload, start, end, offset);
    length += offset;
    if (length > this.#highest) this.#highest = length;
    this.#releaseReady();
  }

  /** Outputs everything buffered, gaps inside filled, nothing invented after the last packet. */
  drain(): void {
    this.#flush();
  }

  /** Frames the reorder window holds back, in samples (for tests and metrics). */
  get bufferedSamples(): number {
    return this.#highest;
  }

  #start(ssrc: number, timestamp: number): void {
    this.#active = true;
    this.#ssrc = ssrc;
    this.#outTs = timestamp >>> 0;
    this.#highest = 0;
    this.#emitted = false;
    this.#lateRun = 0;
    this.#seen.fill(-1);
  }

  #restart(ssrc: number, timestamp: number): void {
    this.#flush();
    this.stats.timelineResets++;
    this.#start(ssrc, timestamp);
  }

  #flush(): void {
    while (this.#highest > 0) this.#release();
    this.#active = false;
  }

  #rewind(samples: number): void {
    this.#outTs = (this.#outTs - samples) >>> 0;
    const frames = samples / FRAME;
    this.#outSlot = (this.#outSlot - frames + this.#capacity) % this.#capacity;
    this.#highest += samples;
  }

  #write(table: Int16Array, payload: Uint8Array, start: number, end: number, offset: number): void {
    const ring = this.#ring;
    const counts = this.#counts;
    let i = start;
    while (i < end) {
      const frame = (offset / FRAME) | 0;
      const within = offset - frame * FRAME;
      let slot = this.#outSlot + frame;
      if (slot >= this.#capacity) slot -= this.#capacity;
      const take = Math.min(FRAME - within, end - i);
      let at = slot * FRAME + within;
      for (let k = 0; k < take; k++) ring[at++] = table[payload[i++]!]!;
      const count = counts[slot]! + take;
      counts[slot] = count > FRAME ? FRAME : count;
      offset += take;
    }
  }

  #releaseReady(): void {
    while (this.#highest > 0) {
      const complete = this.#counts[this.#outSlot] === FRAME;
      if ((complete && this.#emitted) || this.#highest - FRAME >= this.#window) this.#release();
      else break;
    }
  }

  #release(): void {
    const slot = this.#outSlot;
    const view = this.#views[slot]!;
    const info = this.#info;
    info.timestamp = this.#outTs;
    info.filled = this.#counts[slot] === 0;
    this.stats.frames++;
    if (info.filled) this.stats.filledFrames++;
    // State moves on before the listener runs, so one that throws leaves the ring consistent.
    this.#outSlot = slot + 1 === this.#capacity ? 0 : slot + 1;
    this.#outTs = (this.#outTs + FRAME) >>> 0;
    this.#highest = this.#highest > FRAME ? this.#highest - FRAME : 0;
    this.#emitted = true;
    try {
      this.#onFrame(view, info);
    } finally {
      view.fill(0);
      this.#counts[slot] = 0;
    }
  }
}
