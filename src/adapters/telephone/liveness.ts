// Media liveness of an answered call (README "Telephone"): our side keeps sending RTP (silence or
// RFC 3389 comfort noise) so the far side's inactivity timers stay quiet, missing packets count
// as silence where the application listens, and a call with no RTP at all for the RTP timeout
// is ended with a BYE, logged once.

import type { Logger } from "pino";
import type { RtpSession } from "../../protocols/rtp/session.ts";

export interface LivenessOptions {
  /** sip.rtpTimeoutMs. */
  timeoutMs: number;
  log: Logger;
  /** Whether we may send on the stream (not when the peer asked for recvonly/inactive). */
  send: boolean;
  /** Whether the application listens to the caller (silence detection, recording). */
  listens: boolean;
  /** Whether the peer is to send at all; a peer on recvonly/inactive is not timed out. */
  receives?: boolean;
  hangup: () => Promise<void>;
}

export function keepMediaAlive(rtp: RtpSession, opts: LivenessOptions): void {
  rtp.startLiveness({
    fillSilence: opts.listens,
    keepAlive: opts.send,
    ...(opts.receives === false ? {} : { timeoutMs: opts.timeoutMs }),
    onTimeout: (idleMs) => {
      opts.log.info(
        { idleMs: Math.round(idleMs), rtpTimeoutMs: opts.timeoutMs },
        "no RTP from the peer: ending the call",
      );
      opts.hangup().catch((err: unknown) => opts.log.debug({ err }, "hang-up after RTP timeout"));
    },
  });
}

/** Whether a negotiated direction (ours) lets us send (RFC 3264 §6.1). */
export function maySend(direction: string): boolean {
  return direction === "sendrecv" || direction === "sendonly";
}

/** Whether a negotiated direction (ours) has the peer sending to us. */
export function mayReceive(direction: string): boolean {
  return direction === "sendrecv" || direction === "recvonly";
}
