// Live screening of a voicemail while it is recorded (README "Internet call waiting"): the caller's 20 ms frames as
// 8 kHz 16-bit little-endian PCM, handed to whoever listens (the HTTP screening stream).

import type { CallLeg } from "../../core/telephony.ts";
import { pcm16ToBytes } from "../../media/wav.ts";

export interface ScreenListener {
  /** One frame of caller audio; the buffer is shared by all listeners and must not be changed. */
  data(bytes: Buffer): void;
  /** The recording is over (or was taken over): no more data will come. */
  end(): void;
}

/**
 * Subscribes to the call's frames only while someone listens, so a recording nobody screens
 * costs nothing beyond what it cost before screening existed.
 */
export class ScreenTee {
  readonly #listeners = new Set<ScreenListener>();
  #leg: CallLeg | undefined;
  #off: (() => void) | undefined;
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** The recording began on `leg`: listeners that joined early start hearing it now. */
  start(leg: CallLeg): void {
    if (this.#closed) return;
    this.#leg = leg;
    this.#sync();
  }

  /** Ends every listener; nobody can join afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#off?.();
    this.#off = undefined;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l.end();
  }

  /** Adds a listener; returns its removal, or undefined when the recording is already over. */
  add(listener: ScreenListener): (() => void) | undefined {
    if (this.#closed) return undefined;
    this.#listeners.add(listener);
    this.#sync();
    return () => {
      this.#listeners.delete(listener);
      this.#sync();
    };
  }

  #sync(): void {
    const leg = this.#leg;
    const wanted = leg !== undefined && this.#listeners.size > 0 && !this.#closed;
    if (wanted && !this.#off) this.#off = leg.onFrame(this.#frame);
    else if (!wanted && this.#off) {
      this.#off();
      this.#off = undefined;
    }
  }

  readonly #frame = (pcm: Int16Array): void => {
    // One copy per frame for all listeners: the leg reuses its array after this returns.
    const bytes = Buffer.from(pcm16ToBytes(pcm));
    for (const l of this.#listeners) l.data(bytes);
  };
}
