// The sending half of an RTP session: G.711 frames and RFC 4733 telephone events with one SSRC,
// sequence and timestamp line (RFC 3550 §5.1), paced from a start time so playout never drifts.
import type { Socket } from "node:dgram";
import { encodeAlaw, encodeUlaw } from "../../media/g711.ts";
import { FRAME_MS, FRAME_SAMPLES } from "../../media/pcm.ts";
import { digitToEvent, type TelephoneEvent, writeTelephoneEvent } from "./dtmf.ts";
import { PT_PCMA, PT_PCMU } from "./jitter.ts";
import { RTP_HEADER_BYTES, type RtpPacketInit, writeRtp } from "./packet.ts";
import { SRTP_MAX_TRAILER_BYTES } from "./srtp-keys.ts";

/** Time source and timers, injectable so tests can drive pacing without waiting. */
export interface RtpClock {
  now(): number; // milliseconds, monotonic
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: RtpClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Where packets go; the session updates it in place when it latches onto the peer. */
export interface RtpDestination {
  address: string;
  /** 0 while no destination is known: packets are then counted in `unsent`, not sent. */
  port: number;
}

export interface RtpSenderStats {
  packetsSent: number;
  bytesSent: number;
  unsent: number;
  sendErrors: number;
  digitsSent: number;
}

export interface RtpSenderOptions {
  socket: Socket;
  destination: RtpDestination;
  payloadType: number;
  telephoneEventPt?: number;
  clock?: RtpClock;
  /** Source of the random SSRC, first sequence number and first timestamp (RFC 3550 §5.1). */
  random?: () => number;
  /**
   * Last step before a packet goes out: SRTP encrypts buf[0, length) in place, appends its tag
   * and returns the new length (at most SRTP_MAX_TRAILER_BYTES more).
   */
  protect?: (buf: Buffer, length: number) => number;
}

export interface DigitOptions {
  durationMs?: number;
  volume?: number; // power in -dBm0 (0–63); 10 is a usual key press
}

const MAX_FRAME_SAMPLES = 12 * FRAME_SAMPLES;
const RATE_PER_MS = FRAME_SAMPLES / FRAME_MS;
const END_PACKETS = 3; // the final event packet is sent three times (RFC 4733 §2.5.1.4)
/** Nothing sent by the application for this long: the keep-alive takes over the timeline. */
const KEEPALIVE_IDLE_MS = 3 * FRAME_MS;
/** Frames a late keep-alive tick sends at once to catch up; a longer lag skips ahead instead. */
const KEEPALIVE_CATCH_UP = 10;
/** Comfort noise is sent at the start of silence and refreshed this often (RFC 3389 §4). */
const CN_REFRESH_MS = 200;
/** Noise level of our comfort noise, -dBov (RFC 3389 §3): close to digital silence. */
const CN_LEVEL = 80;

function abortError(message: string): Error {
  return new DOMException(message, "AbortError");
}

export class RtpSender {
  readonly stats: RtpSenderStats = {
    packetsSent: 0,
    bytesSent: 0,
    unsent: 0,
    sendErrors: 0,
    digitsSent: 0,
  };
  readonly ssrc: number;
  readonly #socket: Socket;
  readonly #dest: RtpDestination;
  readonly #clock: RtpClock;
  readonly #eventPt: number | undefined;
  readonly #payloadType: number;
  readonly #protect: RtpSenderOptions["protect"];
  readonly #init: RtpPacketInit;
  readonly #encoded = new Uint8Array(MAX_FRAME_SAMPLES);
  readonly #encodedFrame = this.#encoded.subarray(0, FRAME_SAMPLES); // no new view per packet
  readonly #encode: (src: Int16Array, dst: Uint8Array) => number;
  readonly #event: TelephoneEvent = { event: 0, end: false, volume: 10, duration: 0 };
  readonly #eventBytes = new Uint8Array(4);
  // Sends complete asynchronously, so a buffer is reused only once its send has called back.
  readonly #buffers: Buffer[] = [];
  readonly #busy: boolean[] = [];
  readonly #callbacks: Array<(error: Error | null) => void> = [];
  #sequence: number;
  #timestamp: number;
  // Clock time at which #timestamp falls due: the media clock's anchor to real time.
  #dueAt = Number.NaN;
  #queue: Promise<void> = Promise.resolve();
  #cancel: ((reason: Error) => void) | null = null;
  #closed = false;
  #jobs = 0; // paced jobs running (plays, digits)
  #lastMediaAt = Number.NEGATIVE_INFINITY; // clock time of the application's last frame
  #keepTimer: unknown = null;
  #keepCnPt: number | undefined;
  #cnSentAt = Number.NEGATIVE_INFINITY;
  readonly #silence = new Uint8Array(FRAME_SAMPLES);
  readonly #cnPayload = Uint8Array.of(CN_LEVEL);

  constructor(options: RtpSenderOptions) {
    const random = options.random ?? Math.random;
    this.#socket = options.socket;
    this.#dest = options.destination;
    this.#clock = options.clock ?? systemClock;
    this.#eventPt = options.telephoneEventPt;
    this.#protect = options.protect;
    this.ssrc = Math.floor(random() * 0x100000000) >>> 0;
    this.#sequence = Math.floor(random() * 0x10000) & 0xffff;
    this.#timestamp = Math.floor(random() * 0x100000000) >>> 0;
    if (options.payloadType !== PT_PCMU && options.payloadType !== PT_PCMA) {
      throw new RangeError(`payload type ${options.payloadType} is not G.711 (0 or 8)`);
    }
    this.#payloadType = options.payloadType;
    this.#encode = options.payloadType === PT_PCMU ? encodeUlaw : encodeAlaw;
    this.#encode(new Int16Array(FRAME_SAMPLES), this.#silence);
    this.#init = {
      payloadType: 0,
      sequence: 0,
      timestamp: 0,
      ssrc: this.ssrc,
      payload: this.#encoded,
    };
  }

  /** Encodes and sends one frame now; `marker` starts a talk spurt (RFC 3551 §4.1). */
  sendFrame(pcm: Int16Array, marker = false): void {
    this.#lastMediaAt = this.#clock.now();
    this.#frame(pcm, marker);
  }

  #frame(pcm: Int16Array, marker: boolean): void {
    if (pcm.length === 0 || pcm.length > MAX_FRAME_SAMPLES) {
      throw new RangeError(`frame of ${pcm.length} samples; 1..${MAX_FRAME_SAMPLES} fit`);
    }
    this.#cnSentAt = Number.NEGATIVE_INFINITY; // the next silence starts with a CN packet
    const now = this.#clock.now();
    if (marker || Number.isNaN(this.#dueAt)) {
      this.#skipIdleTime(now);
      this.#dueAt = now;
      marker = true;
    }
    const n = this.#encode(pcm, this.#encoded);
    const init = this.#init;
    init.payloadType = this.#payloadType;
    init.payload = n === FRAME_SAMPLES ? this.#encodedFrame : this.#encoded.subarray(0, n);
    init.marker = marker;
    this.#send(this.#timestamp);
    this.#timestamp = (this.#timestamp + n) >>> 0;
    this.#dueAt += n / RATE_PER_MS;
  }

  /** Plays samples as 20 ms frames at real-time pace; queued behind earlier plays and digits. */
  playPcm(samples: Int16Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#enqueue(options.signal, (index) => {
      const at = index * FRAME_SAMPLES;
      if (at >= samples.length) return false; // resolves once the last frame's 20 ms are over
      let frame = samples.subarray(at, at + FRAME_SAMPLES);
      if (frame.length < FRAME_SAMPLES) {
        const padded = new Int16Array(FRAME_SAMPLES); // the short last frame keeps its duration
        padded.set(frame);
        frame = padded;
      }
      this.#frame(frame, index === 0);
      return true;
    });
  }

  /**
   * Sends one RFC 4733 event (§2.5.1): all packets carry the event's start timestamp, the first
   * has the marker bit, updates every 20 ms grow the duration, and the end packet goes three times.
   */
  sendDigit(digit: string, options: DigitOptions = {}): Promise<void> {
    const event = digitToEvent(digit);
    if (event === null) return Promise.reject(new RangeError(`"${digit}" is not a DTMF digit`));
    const eventPt = this.#eventPt;
    if (eventPt === undefined) {
      return Promise.reject(new Error("no telephone-event payload type was negotiated"));
    }
    const total = Math.round(Math.min(Math.max(options.durationMs ?? 100, 40), 5000) * RATE_PER_MS);
    const volume = options.volume ?? 10;
    const updates = Math.ceil(total / FRAME_SAMPLES); // the last of them is the first end packet
    let start = 0;
    let startAt = 0;
    return this.#enqueue(undefined, (index) => {
      if (index === updates + END_PACKETS - 1) {
        this.#timestamp = (start + total) >>> 0; // audio resumes after the tone's time
        this.#dueAt = startAt + total / RATE_PER_MS;
        this.stats.digitsSent++;
        return false;
      }
      if (index === 0) {
        startAt = this.#clock.now();
        this.#skipIdleTime(startAt);
        start = this.#timestamp;
      }
      const ev = this.#event;
      ev.event = event;
      ev.volume = volume;
      ev.end = index >= updates - 1;
      ev.duration = Math.min((index + 1) * FRAME_SAMPLES, total);
      writeTelephoneEvent(ev, this.#eventBytes);
      const init = this.#init;
      init.payloadType = eventPt;
      init.payload = this.#eventBytes;
      init.marker = index === 0;
      this.#send(start);
      return true;
    });
  }

  /**
   * Keeps the stream alive while the application sends nothing (recording, waiting for keys):
   * G.711 silence every 20 ms on the same timeline, or comfort noise (RFC 3389) when the peer
   * negotiated `cnPt`, so the far side's RTP-inactivity timers do not fire. It steps aside
   * whenever the application plays or sends frames itself, so nothing is sent twice.
   */
  keepAlive(cnPt?: number): void {
    if (this.#closed || this.#keepTimer !== null) return;
    this.#keepCnPt = cnPt;
    this.#keepTimer = this.#clock.setTimeout(this.#keepTick, FRAME_MS);
  }

  /** Stops what is playing and queued (their promises reject with an AbortError). */
  close(): void {
    this.#closed = true;
    if (this.#keepTimer !== null) this.#clock.clearTimeout(this.#keepTimer);
    this.#keepTimer = null;
    this.#cancel?.(abortError("RTP session closed"));
  }

  readonly #keepTick = (): void => {
    this.#keepTimer = null;
    if (this.#closed) return;
    const now = this.#clock.now();
    if (this.#jobs === 0 && now - this.#lastMediaAt >= KEEPALIVE_IDLE_MS && this.#dest.port !== 0) {
      this.#fillIdle(now);
    }
    this.#keepTimer = this.#clock.setTimeout(this.#keepTick, FRAME_MS);
  };

  #fillIdle(now: number): void {
    if (Number.isNaN(this.#dueAt) || now - this.#dueAt > KEEPALIVE_CATCH_UP * FRAME_MS) {
      // Coming back after a long gap: the timestamp counts the time nothing was sent. Shorter
      // lags (a late timer) are caught up below, so the timeline stays gapless.
      this.#skipIdleTime(now);
      this.#dueAt = now;
      this.#cnSentAt = Number.NEGATIVE_INFINITY;
    }
    const init = this.#init;
    const cn = this.#keepCnPt;
    for (let n = 0; this.#dueAt <= now && n < KEEPALIVE_CATCH_UP; n++) {
      if (cn === undefined) {
        init.payloadType = this.#payloadType;
        init.payload = this.#silence;
        init.marker = false;
        this.#send(this.#timestamp);
      } else if (this.#dueAt - this.#cnSentAt >= CN_REFRESH_MS) {
        init.payloadType = cn;
        init.payload = this.#cnPayload;
        init.marker = false;
        this.#send(this.#timestamp);
        this.#cnSentAt = this.#dueAt;
      }
      this.#timestamp = (this.#timestamp + FRAME_SAMPLES) >>> 0;
      this.#dueAt += FRAME_MS;
    }
  }

  // A new talk spurt's timestamp counts the time nothing was sent (RFC 3550 §5.1), in whole
  // frames, so the receiver can keep the silence in its timeline.
  #skipIdleTime(now: number): void {
    const idleMs = now - this.#dueAt; // NaN before the first packet
    if (idleMs >= FRAME_MS) {
      const skip = Math.floor(idleMs / FRAME_MS) * FRAME_SAMPLES;
      this.#timestamp = (this.#timestamp + skip) >>> 0;
    }
  }

  #send(timestamp: number): void {
    const init = this.#init;
    init.sequence = this.#sequence;
    init.timestamp = timestamp;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    if (this.#dest.port === 0) {
      this.stats.unsent++;
      return;
    }
    const slot = this.#freeBuffer();
    const buffer = this.#buffers[slot]!;
    let length = writeRtp(init, buffer, 0);
    if (this.#protect !== undefined) length = this.#protect(buffer, length);
    this.#busy[slot] = true;
    this.stats.packetsSent++;
    this.stats.bytesSent += length;
    try {
      this.#socket.send(
        buffer,
        0,
        length,
        this.#dest.port,
        this.#dest.address,
        this.#callbacks[slot],
      );
    } catch {
      this.#busy[slot] = false; // socket closed under us
      this.stats.sendErrors++;
    }
  }

  #freeBuffer(): number {
    const free = this.#busy.indexOf(false);
    if (free >= 0) return free;
    const slot = this.#buffers.length;
    this.#buffers.push(
      Buffer.allocUnsafe(RTP_HEADER_BYTES + MAX_FRAME_SAMPLES + SRTP_MAX_TRAILER_BYTES),
    );
    this.#busy.push(false);
    this.#callbacks.push((error) => {
      this.#busy[slot] = false;
      if (error) this.stats.sendErrors++;
    });
    return slot;
  }

  /**
   * Runs a paced job: step(index) is called once the deadline start + index × 20 ms has passed
   * and returns false when the job is done. Deadlines come from the start time, so timer
   * lateness never accumulates; steps whose deadline passed during a stall run together.
   */
  #enqueue(signal: AbortSignal | undefined, step: (index: number) => boolean): Promise<void> {
    const job = this.#queue.then(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.#closed) return reject(abortError("RTP session closed"));
          if (signal?.aborted) return reject(signal.reason);
          const clock = this.#clock;
          const start = clock.now();
          let index = 0;
          let timer: unknown = null;
          let done = false;
          this.#jobs++;
          const finish = (error?: unknown) => {
            if (done) return;
            done = true;
            if (timer !== null) clock.clearTimeout(timer);
            timer = null;
            this.#jobs--;
            this.#cancel = null;
            signal?.removeEventListener("abort", onAbort);
            if (error === undefined) resolve();
            else reject(error);
          };
          const onAbort = () => finish(signal?.reason ?? abortError("aborted"));
          this.#cancel = finish;
          signal?.addEventListener("abort", onAbort, { once: true });
          const tick = () => {
            timer = null;
            const now = clock.now();
            try {
              while (start + index * FRAME_MS <= now) {
                if (!step(index)) return finish();
                index++;
              }
            } catch (error) {
              return finish(error);
            }
            timer = clock.setTimeout(tick, Math.max(1, Math.ceil(start + index * FRAME_MS - now)));
          };
          tick();
        }),
    );
    this.#queue = job.catch(() => {});
    return job;
  }
}
