// Wall-clock silence for a receive stream: when no audio packet has come for a while (the peer
// suppresses silence, sends comfort noise per RFC 3389, or stopped altogether), 20 ms frames of
// digital silence are put out at real-time pace, so "packets that do not arrive" are silence to
// whoever listens (end-of-message detection, recording length), not a pause in time.
import { FRAME_MS } from "../../media/pcm.ts";
import type { RtpClock } from "./sender.ts";

export interface IdleFillOptions {
  clock: RtpClock;
  /** No audio for this long starts the fill; it must exceed the reorder window. */
  gapMs: number;
  /** Called once when the fill starts: output what the reorder window still holds. */
  onGap: () => void;
  /** One frame of silence is due. */
  emit: () => void;
  /**
   * Runs `fn` after pending I/O. A timer that fires after an event-loop stall runs before the
   * socket's queued packets are read; deciding then would take a stall for a gap.
   */
  defer?: (fn: () => void) => void;
}

/** At most this many frames are caught up in one go (a stall of 10 s). */
const MAX_CATCH_UP = 500;

export class IdleFill {
  readonly #o: IdleFillOptions;
  readonly #defer: (fn: () => void) => void;
  #lastAudioAt: number;
  #quiet = false;
  #emitted = 0; // silent frames put out since the gap began
  #timer: unknown = null;
  #stopped = false;
  /** Frames of silence put out in all, for stats and tests. */
  frames = 0;

  constructor(options: IdleFillOptions) {
    this.#o = options;
    this.#defer = options.defer ?? ((fn) => setImmediate(fn));
    // A stream that never starts is silent from the moment we listen.
    this.#lastAudioAt = options.clock.now();
    this.#schedule();
  }

  /** An audio packet (or a telephone event) arrived: the stream is not idle. */
  audio(): void {
    this.#lastAudioAt = this.#o.clock.now();
    this.#quiet = false;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      this.#defer(() => this.#tick());
    }, FRAME_MS);
  }

  #tick(): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const idle = now - this.#lastAudioAt;
    if (idle >= this.#o.gapMs) {
      if (!this.#quiet) {
        this.#quiet = true;
        this.#emitted = 0;
        this.#o.onGap();
      }
      // Silence from the last packet on: its 20 ms were over when it was sent.
      const due = Math.floor(idle / FRAME_MS);
      let n = Math.min(due - this.#emitted, MAX_CATCH_UP);
      if (n < 0) n = 0;
      this.#emitted = n === MAX_CATCH_UP ? due : this.#emitted + n;
      for (let i = 0; i < n && !this.#stopped; i++) {
        this.frames++;
        this.#o.emit();
      }
    }
    this.#schedule();
  }
}
