// Voicemails whose final write failed for lack of room after the caller hung up (docs/security.md
// "Disk full"): held in memory, bounded in bytes, and written as soon as the disk has room again,
// with a doubling backoff. In memory only: a crash or restart before they are written loses them.

import type { Logger } from "pino";
import { backoffDelay } from "../../core/backoff.ts";
import type { DepositedMessage } from "../../core/mailbox.ts";
import { isStorageFullError } from "../../core/storage-health.ts";

export interface PendingDepositsOptions {
  /** The store's deposit; must be safe to repeat after a partial failure (it is idempotent). */
  deposit(message: DepositedMessage): Promise<void>;
  /** Audio bytes held at most, all messages together. */
  maxBytes: number;
  logger: Logger;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Attempts for a message that fails for another reason than room (then it is dropped, logged). */
  maxOtherFailures?: number;
}

interface Held {
  message: DepositedMessage;
  otherFailures: number;
}

export class PendingDeposits {
  readonly #held: Held[] = [];
  #bytes = 0;
  /** Rounds since the last write that still found no room: the wait grows with them. */
  #fullRounds = 0;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly opts: PendingDepositsOptions) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#held.length;
  }

  /** Holds `message` for a later write; false (nothing held) when it would pass `maxBytes`. */
  keep(message: DepositedMessage): boolean {
    if (this.#stopped || this.#bytes + message.audio.length > this.opts.maxBytes) return false;
    this.#held.push({ message, otherFailures: 0 });
    this.#bytes += message.audio.length;
    this.opts.logger.warn(
      { callId: message.callId, userId: message.userId, bytes: message.audio.length },
      "voicemail held in memory until the disk has room",
    );
    this.#schedule();
    return true;
  }

  /** Tries again now (the storage probe saw room come back). */
  wake(): void {
    if (this.#held.length === 0 || this.#stopped) return;
    this.#fullRounds = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#drain();
  }

  /** One last attempt; what still cannot be written is logged as lost. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#draining;
    if (this.#held.length > 0) await this.#drainOnce();
    for (const { message } of this.#held.splice(0)) {
      this.opts.logger.error(
        { callId: message.callId, userId: message.userId },
        "voicemail lost: the disk had no room before shutdown",
      );
    }
    this.#bytes = 0;
  }

  #schedule(): void {
    if (this.#timer || this.#draining || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, this.#delayMs());
    this.#timer.unref();
  }

  #drain(): Promise<void> {
    this.#draining ??= this.#drainOnce().finally(() => {
      this.#draining = undefined;
      if (this.#held.length > 0) this.#schedule();
    });
    return this.#draining;
  }

  /** Writes the held messages in order; stops at the first that still finds no room. */
  async #drainOnce(): Promise<void> {
    while (this.#held.length > 0) {
      const held = this.#held[0]!;
      const { message } = held;
      let written = true;
      try {
        await this.opts.deposit(message);
      } catch (err) {
        written = false;
        if (isStorageFullError(err)) {
          this.#fullRounds++;
          return;
        }
        held.otherFailures++;
        if (held.otherFailures < (this.opts.maxOtherFailures ?? 5)) {
          this.opts.logger.warn({ err, callId: message.callId }, "held voicemail: write failed");
          return;
        }
        this.opts.logger.error(
          { err, callId: message.callId, userId: message.userId },
          "voicemail lost: a held message could not be written",
        );
      }
      if (written)
        this.opts.logger.info(
          { callId: message.callId, userId: message.userId },
          "held voicemail written",
        );
      this.#held.shift();
      this.#bytes -= message.audio.length;
      this.#fullRounds = 0;
    }
  }

  #delayMs(): number {
    return backoffDelay(this.#fullRounds + 1, {
      initialDelayMs: this.opts.retryMinMs ?? 1000,
      maxDelayMs: this.opts.retryMaxMs ?? 30_000,
      jitter: 0,
    });
  }
}
