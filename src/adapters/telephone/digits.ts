// DTMF input for voice menus: digits are queued as they arrive, so a key pressed during a prompt
// (barge-in) interrupts the prompt and is still read as the answer.

import type { CallLeg } from "../../core/telephony.ts";

export class DigitInput {
  readonly #queue: string[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #off: () => void;
  #barge: AbortController | undefined;

  constructor(private readonly leg: CallLeg) {
    this.#off = leg.onDigit((d) => {
      this.#queue.push(d);
      this.#barge?.abort();
      for (const w of [...this.#waiters]) w();
    });
  }

  /** Plays a prompt, cut short by any key (the key stays queued). Skipped if a key is waiting. */
  async say(pcm: Int16Array): Promise<void> {
    if (this.#queue.length > 0) return;
    this.#barge = new AbortController();
    try {
      await this.leg.play(pcm, { signal: this.#barge.signal });
    } finally {
      this.#barge = undefined;
    }
  }

  /** The next key, or undefined after `timeoutMs` (or when the call ends). */
  next(timeoutMs: number): Promise<string | undefined> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const done = (value: string | undefined) => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(value);
      };
      const wake = () => done(this.#queue.shift());
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.#waiters.add(wake);
      this.leg.ended.then(
        () => done(undefined),
        () => done(undefined),
      );
    });
  }

  /** Keys up to `#` (not included), at most `max`, each within `timeoutMs` of the previous. */
  async collect(max: number, timeoutMs: number): Promise<string> {
    let value = "";
    while (value.length < max) {
      const d = await this.next(timeoutMs);
      if (d === undefined || d === "#") break;
      value += d;
    }
    return value;
  }

  clear(): void {
    this.#queue.length = 0;
  }

  close(): void {
    this.#off();
    this.#barge?.abort();
  }
}
