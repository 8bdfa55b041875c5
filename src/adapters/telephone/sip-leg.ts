// A CallLeg over SIP and RTP: an answered InviteServerSession with its RtpSession. Audio out is
// paced by the RTP sender; audio in comes out of the reorder window; DTMF arrives as RFC 4733
// events (or SIP INFO dtmf-relay from phones that prefer it).

import type { CallEnd, CallLeg, CallParty } from "../../core/telephony.ts";
import type { FrameListener } from "../../protocols/rtp/jitter.ts";
import type { RtpSession } from "../../protocols/rtp/session.ts";
import type { InviteServerSession, SessionEnd } from "../../protocols/sip/usage/invite-server.ts";

function toCallEnd(why: SessionEnd): CallEnd {
  return why === "local-bye"
    ? "local-hangup"
    : why === "ack-timeout"
      ? "media-timeout"
      : "remote-hangup";
}

export class SipCallLeg implements CallLeg {
  readonly ended: Promise<CallEnd>;
  readonly #digits = new Set<(d: string) => void>();
  /** Keys pressed before the application listens (while it loads a greeting) are kept for it. */
  readonly #early: string[] = [];

  constructor(
    readonly id: string,
    readonly party: CallParty,
    private readonly session: InviteServerSession,
    private readonly rtp: RtpSession,
  ) {
    this.ended = session.ended.then(toCallEnd);
    // Audio still held in the reorder window belongs to the call: flush it before anything that
    // runs on hang-up (the recording is finished then).
    session.beforeByeResponse(async () => rtp.drain());
    void this.ended.then(() => rtp.close());
    session.onInfo((req) => {
      // application/dtmf-relay: "Signal=5\r\nDuration=160"
      const m = /^Signal\s*=\s*([0-9*#A-D])/im.exec(req.message.body.toString("utf8"));
      if (m?.[1]) this.digit(m[1]);
    });
  }

  /** Fed by the RtpSession's onDigit. */
  digit(d: string): void {
    if (this.#digits.size === 0) {
      if (this.#early.length < 16) this.#early.push(d);
      return;
    }
    for (const l of [...this.#digits]) l(d);
  }

  play(samples: Int16Array, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (opts.signal?.aborted) return Promise.resolve();
    const ended = this.ended.then(() => undefined);
    // An aborted prompt (a key pressed) is a normal end of playing, not an error.
    const playing = this.rtp.playPcm(samples, opts).catch((err: unknown) => {
      if (!(opts.signal?.aborted || (err instanceof Error && err.name === "AbortError"))) throw err;
    });
    return Promise.race([playing, ended]);
  }

  onFrame(listener: (pcm: Int16Array, idle: boolean) => void): () => void {
    const l: FrameListener = (pcm, info) => listener(pcm, info.idle === true);
    return this.rtp.addFrameListener(l);
  }

  onDigit(listener: (digit: string) => void): () => void {
    this.#digits.add(listener);
    if (this.#early.length > 0) {
      const early = this.#early.splice(0);
      queueMicrotask(() => {
        for (const d of early) this.digit(d);
      });
    }
    return () => this.#digits.delete(listener);
  }

  beforeHangupAck(task: () => Promise<void>): void {
    this.session.beforeByeResponse(task);
  }

  async hangup(): Promise<void> {
    await this.session.hangup();
  }
}
