// One call leg's RTP: receives G.711 and RFC 4733 events on its own port, latches onto the
// peer's source address (symmetric RTP, RFC 4961 §4), and sends through an RtpSender.
import type { RemoteInfo, Socket } from "node:dgram";
import {
  type DtmfDigit,
  DtmfReceiver,
  parseTelephoneEvent,
  TELEPHONE_EVENT_BYTES,
} from "./dtmf.ts";
import { RtpHeaderView } from "./header-view.ts";
import { IdleFill } from "./idle-fill.ts";
import { InactivityWatch } from "./inactivity.ts";
import {
  type FrameInfo,
  type FrameListener,
  JitterBuffer,
  type JitterStats,
  PT_PCMA,
  PT_PCMU,
} from "./jitter.ts";
import { looksLikeRtcp } from "./packet.ts";
import type { RtpPortPool } from "./port-pool.ts";
import {
  type DigitOptions,
  type RtpClock,
  type RtpDestination,
  RtpSender,
  type RtpSenderStats,
  systemClock,
} from "./sender.ts";
import type { SrtpSession, SrtpStats } from "./srtp.ts";

export interface RtpSessionOptions {
  /** A bound socket, usually from RtpPortPool; the session owns it and closes it. */
  socket: Socket;
  /** The peer's address from SDP; replaced by the source of the first valid packet. */
  remote?: { address: string; port: number };
  /** Negotiated audio payload type: 0 PCMU or 8 PCMA (both are decoded when received). */
  payloadType: number;
  telephoneEventPt?: number;
  /** Comfort noise (RFC 3389) payload type when negotiated; received CN is silence either way. */
  comfortNoisePt?: number;
  jitterWindowMs?: number;
  maxJumpMs?: number;
  onFrame?: FrameListener;
  onDigit?: (digit: string, event: DtmfDigit) => void;
  /** Listener and socket errors, which never stop the session. */
  onError?: (error: unknown) => void;
  clock?: RtpClock;
  random?: () => number;
  /** SRTP (RFC 3711): outgoing packets are protected, incoming ones must authenticate. */
  srtp?: SrtpSession;
}

export interface RtpReceiveStats {
  datagrams: number;
  rtcp: number;
  /** Datagrams that are not RTP, or telephone events too short to read. */
  garbage: number;
  /** RTP with a payload type that was not negotiated. */
  otherPayloadType: number;
  /** Comfort noise packets (RFC 3389): silence, and proof the peer is still there. */
  comfortNoise: number;
  /** Frames of silence put out on the wall clock while no audio came (see startLiveness). */
  idleFrames: number;
  /** Packets of the latched SSRC from another address, ignored. */
  wrongSource: number;
  latches: number;
  digits: number;
  listenerErrors: number;
}

export type RtpSessionStats = RtpReceiveStats & {
  jitter: JitterStats;
  send: RtpSenderStats;
  /** With SRTP: packets protected, unprotected, and dropped (authentication, replay, malformed). */
  srtp?: SrtpStats;
};

/** Events are flushed when no event packet came for this long (lost end packets, RFC 4733). */
const DTMF_IDLE_MS = 300;
/** RFC 3551 §6: the static payload type of comfort noise (RFC 3389). */
export const PT_CN = 13;

/** What keeps an answered call's media honest in both directions (startLiveness). */
export interface LivenessOptions {
  /** Missing packets become silence frames on the wall clock, so silence detection sees them. */
  fillSilence?: boolean;
  /** Send silence (or comfort noise) whenever we have nothing else to send. */
  keepAlive?: boolean;
  /** No RTP at all for this long calls `onTimeout` once. */
  timeoutMs?: number;
  onTimeout?: (idleMs: number) => void;
}

export class RtpSession {
  readonly socket: Socket;
  readonly localPort: number;
  readonly #rx: RtpReceiveStats = {
    datagrams: 0,
    rtcp: 0,
    garbage: 0,
    otherPayloadType: 0,
    comfortNoise: 0,
    idleFrames: 0,
    wrongSource: 0,
    latches: 0,
    digits: 0,
    listenerErrors: 0,
  };
  readonly #header = new RtpHeaderView();
  readonly #jitter: JitterBuffer;
  readonly #sender: RtpSender;
  readonly #dest: RtpDestination;
  readonly #dtmf: DtmfReceiver;
  readonly #eventPt: number;
  readonly #cnPt: number;
  readonly #negotiatedCn: number | undefined;
  readonly #clock: RtpClock;
  readonly #windowMs: number;
  #idle: IdleFill | undefined;
  #inactivity: InactivityWatch | undefined;
  #lastTs = 0; // RTP timestamp of the last frame put out
  readonly #silentFrame = new Int16Array(160);
  readonly #idleInfo: FrameInfo = { timestamp: 0, filled: true, idle: true };
  readonly #listeners: FrameListener[] = [];
  readonly #onDigit: RtpSessionOptions["onDigit"];
  readonly #onError: RtpSessionOptions["onError"];
  readonly #srtp: SrtpSession | undefined;
  #latched = false;
  #ssrc = -1; // the peer's current SSRC
  #dtmfSsrc = -1;
  #dtmfSince = -1; // clock time of the last event packet while an event may be open
  #closed = false;

  /** Allocates a port from the pool and opens a session on it. */
  static async open(
    pool: RtpPortPool,
    options: Omit<RtpSessionOptions, "socket">,
    host?: string,
  ): Promise<RtpSession> {
    const lease = await pool.allocate(host);
    try {
      return new RtpSession({ ...options, socket: lease.socket });
    } catch (error) {
      lease.release(); // e.g. a payload type that is not G.711
      throw error;
    }
  }

  constructor(options: RtpSessionOptions) {
    this.socket = options.socket;
    this.localPort = options.socket.address().port;
    this.#clock = options.clock ?? systemClock;
    this.#eventPt = options.telephoneEventPt ?? -1;
    this.#cnPt = options.comfortNoisePt ?? PT_CN;
    this.#negotiatedCn = options.comfortNoisePt;
    this.#windowMs = options.jitterWindowMs ?? 80;
    this.#onDigit = options.onDigit;
    this.#onError = options.onError;
    this.#srtp = options.srtp;
    this.#dest = { address: options.remote?.address ?? "", port: options.remote?.port ?? 0 };
    this.#sender = new RtpSender({
      socket: this.socket,
      destination: this.#dest,
      payloadType: options.payloadType,
      telephoneEventPt: options.telephoneEventPt,
      clock: this.#clock,
      random: options.random,
      ...(options.srtp ? { protect: options.srtp.protect.bind(options.srtp) } : {}),
    });
    this.#jitter = new JitterBuffer({
      windowMs: options.jitterWindowMs,
      maxJumpMs: options.maxJumpMs,
      onFrame: this.#emitFrame,
    });
    this.#dtmf = new DtmfReceiver((digit) => {
      this.#dtmfSince = -1;
      this.#rx.digits++;
      if (digit.digit === null) return; // flash and tones are not keys
      try {
        this.#onDigit?.(digit.digit, digit);
      } catch (error) {
        this.#listenerFailed(error);
      }
    });
    if (options.onFrame) this.#listeners.push(options.onFrame);
    this.socket.on("message", this.#onMessage);
    this.socket.on("error", (error) => this.#onError?.(error));
  }

  /** Where packets go now: from SDP until the peer's first packet, then its source. */
  get remote(): { address: string; port: number } | null {
    return this.#dest.port === 0 ? null : { address: this.#dest.address, port: this.#dest.port };
  }

  /** Our SSRC. */
  get ssrc(): number {
    return this.#sender.ssrc;
  }

  get stats(): RtpSessionStats {
    const stats: RtpSessionStats = {
      ...this.#rx,
      jitter: { ...this.#jitter.stats },
      send: { ...this.#sender.stats },
    };
    if (this.#srtp) stats.srtp = { ...this.#srtp.stats };
    return stats;
  }

  /** Adds a consumer of received frames; returns its removal. */
  addFrameListener(listener: FrameListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  sendFrame(pcm: Int16Array, marker = false): void {
    this.#sender.sendFrame(pcm, marker);
  }

  playPcm(samples: Int16Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#sender.playPcm(samples, options);
  }

  sendDigit(digit: string, options?: DigitOptions): Promise<void> {
    return this.#sender.sendDigit(digit, options);
  }

  /**
   * Starts what an answered call needs (before the answer nobody listens and nothing is due):
   * wall-clock silence for missing packets, our own keep-alive stream, the RTP timeout.
   */
  startLiveness(options: LivenessOptions): void {
    if (this.#closed) return;
    if (options.fillSilence && !this.#idle) {
      this.#idle = new IdleFill({
        clock: this.#clock,
        // Past the reorder window, with room for a late timer under load.
        gapMs: Math.max(200, this.#windowMs + 120),
        onGap: () => this.#jitter.drain(),
        emit: this.#emitIdle,
      });
    }
    if (options.keepAlive) {
      this.#sender.keepAlive(this.#negotiatedCn);
    }
    if (options.timeoutMs !== undefined && options.onTimeout && !this.#inactivity) {
      this.#inactivity = new InactivityWatch(this.#clock, options.timeoutMs, options.onTimeout);
    }
  }

  /** Outputs the frames still in the reorder window and any digit whose end was lost. */
  drain(): void {
    this.#jitter.drain();
    this.#dtmf.flush();
  }

  /** Drains, stops sending and closes the socket, which returns its port to the pool. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.drain();
    this.#idle?.stop();
    this.#inactivity?.stop();
    this.#sender.close();
    this.socket.off("message", this.#onMessage);
    try {
      this.socket.close();
    } catch {
      // already closed by its owner
    }
  }

  readonly #onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const rx = this.#rx;
    rx.datagrams++;
    if (looksLikeRtcp(msg)) {
      rx.rtcp++;
      return;
    }
    let length = msg.length;
    if (this.#srtp !== undefined) {
      // Before anything else reads it: a packet that does not authenticate never moves the latch.
      length = this.#srtp.unprotect(msg, length);
      if (length < 0) return; // counted in the SRTP stats
    }
    const h = this.#header;
    if (!h.read(msg, length)) {
      rx.garbage++;
      return;
    }
    this.#inactivity?.packet(); // any RTP at all shows the peer is there
    const pt = h.payloadType;
    const isEvent = pt === this.#eventPt;
    if (pt === this.#cnPt || pt === PT_CN) {
      rx.comfortNoise++; // silence: the idle fill puts it in the timeline
      return;
    }
    if (!isEvent && pt !== PT_PCMU && pt !== PT_PCMA) {
      rx.otherPayloadType++;
      return;
    }
    if (isEvent && h.payloadEnd - h.payloadOffset < TELEPHONE_EVENT_BYTES) {
      rx.garbage++; // malformed events must not move the latch either
      return;
    }
    const dest = this.#dest;
    if (!this.#latched || rinfo.port !== dest.port || rinfo.address !== dest.address) {
      // A known source moving address is ignored; only a new SSRC may take the session over.
      if (this.#latched && h.ssrc === this.#ssrc) {
        rx.wrongSource++;
        return;
      }
      this.#latched = true;
      dest.address = rinfo.address;
      dest.port = rinfo.port;
      rx.latches++;
    }
    this.#ssrc = h.ssrc;
    this.#idle?.audio();
    if (isEvent) {
      this.#onEvent(msg);
      return;
    }
    if (this.#dtmfSince >= 0 && this.#clock.now() - this.#dtmfSince > DTMF_IDLE_MS) {
      this.#dtmfSince = -1;
      this.#dtmf.flush();
    }
    this.#jitter.push(h.ssrc, h.sequence, h.timestamp, pt, msg, h.payloadOffset, h.payloadEnd);
  };

  #onEvent(msg: Buffer): void {
    const h = this.#header;
    const ev = parseTelephoneEvent(msg.subarray(h.payloadOffset, h.payloadEnd))!;
    if (h.ssrc !== this.#dtmfSsrc) {
      this.#dtmf.reset(); // timestamps of another source say nothing about repeats
      this.#dtmfSsrc = h.ssrc;
    }
    this.#dtmfSince = this.#clock.now();
    this.#dtmf.push(h.timestamp, ev);
  }

  readonly #emitIdle = (): void => {
    const info = this.#idleInfo;
    info.timestamp = (this.#lastTs + 160) >>> 0;
    this.#rx.idleFrames++;
    this.#emitFrame(this.#silentFrame, info);
    this.#silentFrame.fill(0); // a listener may have written into it
  };

  readonly #emitFrame = (pcm: Int16Array, info: Readonly<FrameInfo>): void => {
    this.#lastTs = info.timestamp;
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(pcm, info);
      } catch (error) {
        this.#listenerFailed(error);
      }
    }
  };

  #listenerFailed(error: unknown): void {
    this.#rx.listenerErrors++;
    try {
      this.#onError?.(error);
    } catch {
      // an error reporter that throws has nowhere left to report to
    }
  }
}
