// The telephony port (docs/architecture.md "Layers"): what other systems take from the telephone
// system — a call leg as voice applications see it, placing a call and playing audio into it, and
// placing a call whose audio they relay. SIP URIs per RFC 3261 §19.1; Diversion per RFC 5806.

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

/**
 * What a voice application sees of a call: audio in (20 ms frames after the reorder window),
 * audio out, DTMF digits, hang-up. The SIP/RTP glue implements it; the voicemail and ICW
 * applications use only this, so they are tested without sockets.
 */
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

/** The far side of a call we placed: an answered outbound call with its audio. */
export interface OutboundLeg {
  sendFrame(pcm: Int16Array): void;
  onFrame(listener: (pcm: Int16Array) => void): () => void;
  readonly ended: Promise<unknown>;
  hangup(): Promise<void>;
  /** The call's SIP Call-ID (a live deposit's native id in the legacy box). */
  readonly callId?: string;
}

/** The next hop of a call: host, port and transport as a URI names them (RFC 3263 without SRV). */
export interface CallDestination {
  host: string;
  port: number;
  transport: "udp" | "tcp" | "tls";
}

/** Who the callee sees as calling (the From header). */
export interface CallerId {
  uri: string;
  displayName?: string;
}

/** RFC 5806 §4 diversion-reason values a voicemail box cares about. */
export type DiversionReason =
  | "unknown"
  | "user-busy"
  | "no-answer"
  | "unavailable"
  | "unconditional";

export interface Diversion {
  /** The station (mailbox number) the call is diverted from: the legacy box files it there. */
  station: string;
  /** Host of the diverting URI, usually the legacy system's SIP domain. */
  host: string;
  reason?: DiversionReason;
}

/** One call to place: where it goes and who it is from. */
export interface DialRequest {
  uri: string;
  dest: CallDestination;
  /** A preloaded route set, e.g. the Path of the phone's registration (RFC 3327 §5.3). */
  routes?: readonly string[];
  from: CallerId;
  answerTimeoutMs?: number;
  credentials?: { username: string; password: string };
  /** Extra INVITE headers, e.g. Diversion (RFC 5806) for a deposit into a legacy box. */
  headers?: Array<[string, string]>;
}

export interface PlayOnPhoneResult {
  playedMs: number;
  packetsReceived: number;
  /** The call's SIP Call-ID: the delivery's native id. */
  callId: string;
}

/** A call that plays audio into a sip: URI, as the legacy-voicemail replay places it. */
export interface PlayCall {
  uri: string;
  dest: CallDestination;
  pcm: Int16Array;
  from: CallerId;
  diversion?: Diversion;
  answerTimeoutMs?: number;
}

/** Where a call to a tel: or sip: target would go, or why it cannot be placed. */
export type CallTarget =
  | {
      uri: string;
      dest: CallDestination;
      /** Host of the From URI: a trunk's fromDomain, else sip.domain. */
      fromHost: string;
      credentials?: { username: string; password: string };
    }
  | { refused: string };

/**
 * The telephone system to the systems beside it. `playCall` fails with a DeliveryError,
 * permanent when calling again cannot help; `dial` rejects when the call is not answered.
 */
export interface Telephony {
  playCall(req: PlayCall): Promise<PlayOnPhoneResult>;
  /**
   * Where a call to `to` goes: a tel: number through the trunk whose prefixes match, other
   * numbers through `proxy` (refused without one), a sip: URI to its own host.
   */
  route(to: string, proxy?: { host: string; port: number }): CallTarget;
  /**
   * Places a call and opens its audio. With `liveness` false (a live copy fed in bursts) the
   * leg neither fills pauses with its own silence nor ends on the RTP timeout.
   */
  dial(req: DialRequest, liveness?: boolean): Promise<OutboundLeg>;
}
