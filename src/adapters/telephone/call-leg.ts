// What a voice application sees of a call: audio in (20 ms frames after the reorder window),
// audio out, DTMF digits, hang-up. The SIP/RTP glue implements it; the voicemail apps use only
// this, so they are tested without sockets and run unchanged over any signalling.

export type CallEnd = "remote-hangup" | "local-hangup" | "media-timeout";

export interface CallParty {
  /** Calling number or user (From / P-Asserted-Identity user part). */
  ani?: string;
  callerName?: string;
  /** The number the caller dialled: the original target when forwarded, else the Request-URI user. */
  dnis?: string;
  /** The user's number the call was diverted to voicemail from, when it was forwarded. */
  divertedFrom?: string;
  /** Why it was diverted, as a SIP code (RFC 4458 `cause`): 486 busy selects the busy greeting. */
  cause?: number;
}

export interface CallLeg {
  readonly id: string;
  readonly party: CallParty;
  /** Plays 8 kHz PCM to the caller; resolves when played or when `signal` aborts it. */
  play(samples: Int16Array, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Caller audio, one 160-sample frame at a time, at real-time pace even when the caller sends
   * nothing (`idle`: silence standing in for packets that never came); the array is reused
   * after the call returns.
   */
  onFrame(listener: (pcm: Int16Array, idle: boolean) => void): () => void;
  onDigit(listener: (digit: string) => void): () => void;
  /** Settles when the call is over, with why. */
  readonly ended: Promise<CallEnd>;
  /**
   * Work that must finish before the remote hang-up is acknowledged (a recording made durable
   * before the 200 OK to BYE). The leg awaits it when the BYE arrives.
   */
  beforeHangupAck(task: () => Promise<void>): void;
  /** Ends the call from our side (BYE). */
  hangup(): Promise<void>;
}
