// RTP inactivity: a session that receives no RTP packet at all (audio, events or comfort noise)
// for `timeoutMs` is dead — the peer crashed, lost its network or forgot the call — and is
// ended, as PBXs do with their RTP timeout.
import type { RtpClock } from "./sender.ts";

export class InactivityWatch {
  readonly #clock: RtpClock;
  readonly #timeoutMs: number;
  readonly #onTimeout: (idleMs: number) => void;
  #lastAt: number;
  #timer: unknown = null;
  #done = false;

  constructor(clock: RtpClock, timeoutMs: number, onTimeout: (idleMs: number) => void) {
    if (!(timeoutMs > 0)) throw new RangeError(`bad RTP timeout ${timeoutMs} ms`);
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
    this.#lastAt = clock.now();
    this.#arm(timeoutMs);
  }

  /** A packet came. Cheap: the timer is only re-armed when it fires. */
  packet(): void {
    this.#lastAt = this.#clock.now();
  }

  stop(): void {
    this.#done = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      // After pending I/O, so a stalled event loop does not miss packets already queued.
      setImmediate(() => this.#check());
    }, ms);
  }

  #check(): void {
    if (this.#done) return;
    const idle = this.#clock.now() - this.#lastAt;
    if (idle >= this.#timeoutMs) {
      this.#done = true;
      this.#onTimeout(idle);
      return;
    }
    this.#arm(Math.max(1, this.#timeoutMs - idle));
  }
}
