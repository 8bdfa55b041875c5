// RFC 4733 telephone-event payloads (DTMF digits in RTP): parse/build the 4-byte event block, and
// a receiver that reports each key press once despite updates and the thrice-sent end packet.
import { tsDiff, tsLessThan } from "./sequence.ts";

export const TELEPHONE_EVENT_BYTES = 4;

export interface TelephoneEvent {
  /** 0–9 digits, 10 '*', 11 '#', 12–15 A–D, 16 flash (RFC 4733 §3.2); others are other events. */
  event: number;
  /** E bit: the final packet(s) of the event. */
  end: boolean;
  /** Power level in -dBm0, 0–63 (larger is quieter). */
  volume: number;
  /** Duration so far in RTP timestamp units (8 kHz: 160 per 20 ms). */
  duration: number;
}

const DIGITS = "0123456789*#ABCD";
export const EVENT_FLASH = 16;

export function eventToDigit(event: number): string | null {
  return event >= 0 && event < DIGITS.length ? DIGITS[event]! : null;
}

export function digitToEvent(digit: string): number | null {
  const index = digit.length === 1 ? DIGITS.indexOf(digit.toUpperCase()) : -1;
  return index < 0 ? null : index;
}

/** Reads the first event block; null when the payload is too short to hold one. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < TELEPHONE_EVENT_BYTES) return null;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    // The R bit (0x40) is reserved: senders clear it, receivers ignore it.
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

/** Writes a 4-byte event block into dst at offset; throws RangeError on out-of-range fields. */
export function writeTelephoneEvent(ev: TelephoneEvent, dst: Uint8Array, offset = 0): number {
  const fields: [string, number, number][] = [
    ["event", ev.event, 0xff],
    ["volume", ev.volume, 0x3f],
    ["duration", ev.duration, 0xffff],
  ];
  for (const [name, value, max] of fields) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`telephone-event ${name} ${value} is outside 0..${max}`);
    }
  }
  if (offset + TELEPHONE_EVENT_BYTES > dst.length) throw new RangeError("no room for the event");
  dst[offset] = ev.event;
  dst[offset + 1] = (ev.end ? 0x80 : 0) | ev.volume;
  dst[offset + 2] = ev.duration >> 8;
  dst[offset + 3] = ev.duration & 0xff;
  return TELEPHONE_EVENT_BYTES;
}

export function buildTelephoneEvent(ev: TelephoneEvent): Buffer {
  const buf = Buffer.alloc(TELEPHONE_EVENT_BYTES);
  writeTelephoneEvent(ev, buf);
  return buf;
}

export interface DtmfDigit {
  event: number;
  /** The key, or null for a non-DTMF event (flash, tones). */
  digit: string | null;
  /** RTP timestamp of the event's start, which identifies it. */
  timestamp: number;
  /** Total duration in timestamp units, long-event segments included. */
  duration: number;
  volume: number;
  /** False when the end packets were lost and the event was closed by a newer one or flush(). */
  ended: boolean;
}

interface Pending {
  event: number;
  timestamp: number; // of the current segment
  startTimestamp: number;
  earlierSegments: number;
  duration: number;
  volume: number;
}

/**
 * Reports each telephone event once. All packets of one event carry the timestamp of its start
 * (RFC 4733 §2.5.1.2), so a new timestamp is a new event and anything at or before the last
 * reported one is a repeat. A digit is reported on its first end packet; if every end packet is
 * lost it is reported (ended: false) when the next event starts or on flush(), which the session
 * should call after a few hundred ms without events and when the call ends.
 * Reset on an SSRC change: timestamps of different sources are unrelated.
 */
export class DtmfReceiver {
  #pending: Pending | null = null;
  #lastReported: number | null = null;

  constructor(
    private readonly onDigit: (digit: DtmfDigit) => void,
    /** Called when an event begins, e.g. to stop a prompt at the first key press. */
    private readonly onStart?: (event: number, timestamp: number) => void,
  ) {}

  /** Feeds one telephone-event packet: its RTP timestamp and parsed payload. */
  push(timestamp: number, ev: TelephoneEvent): void {
    const last = this.#lastReported;
    if (last !== null && !tsLessThan(last, timestamp)) return; // repeat of a reported event
    let pending = this.#pending;
    if (pending !== null && timestamp !== pending.timestamp) {
      if (tsLessThan(timestamp, pending.timestamp)) return; // straggler from before this event
      // A long event goes on in a new segment starting where the last one ended (§2.5.2.3).
      const contiguous = tsDiff(timestamp, pending.timestamp) === pending.duration;
      if (contiguous && ev.event === pending.event) {
        pending.earlierSegments += pending.duration;
        pending.timestamp = timestamp;
        pending.duration = 0;
      } else {
        this.#report(false);
        pending = null;
      }
    }
    if (pending === null) {
      pending = {
        event: ev.event,
        timestamp,
        startTimestamp: timestamp,
        earlierSegments: 0,
        duration: 0,
        volume: ev.volume,
      };
      this.#pending = pending;
      this.onStart?.(ev.event, timestamp);
    }
    if (ev.duration > pending.duration) pending.duration = ev.duration;
    pending.volume = ev.volume;
    if (ev.end) this.#report(true);
  }

  /** Reports an event whose end never arrived. */
  flush(): void {
    if (this.#pending !== null) this.#report(false);
  }

  reset(): void {
    this.#pending = null;
    this.#lastReported = null;
  }

  #report(ended: boolean): void {
    const p = this.#pending!;
    this.#pending = null;
    this.#lastReported = p.timestamp;
    this.onDigit({
      event: p.event,
      digit: eventToDigit(p.event),
      timestamp: p.startTimestamp,
      duration: p.earlierSegments + p.duration,
      volume: p.volume,
      ended,
    });
  }
}
