// SMDI codec (Telcordia GR-283-CORE): exact bytes for call detail, MWI on/off and MWI error frames,
// and a streaming decoder that takes arbitrary chunks, skips garbage and resyncs on the next frame.

import {
  EM,
  EOT,
  FRAME_MARKERS,
  requireDigits,
  SMDI_CALL_TYPES,
  SMDI_LIMITS,
  SMDI_MWI_ERROR_REASONS,
  type SmdiCallDetail,
  SmdiEncodeError,
  type SmdiFrame,
  type SmdiMwiErrorReason,
} from "./frames.ts";
import { parseFrameAt } from "./parse.ts";

function bytes(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/** `\r\nMD` desk terminal type forwarding(10, space padded) ` ` calling ` \r\n^Y` (switch → VM). */
export function encodeCallDetail(detail: SmdiCallDetail): Buffer {
  const desk = requireDigits("desk", detail.desk, SMDI_LIMITS.deskDigits, SMDI_LIMITS.deskDigits);
  const terminal = requireDigits(
    "terminal",
    detail.terminal,
    SMDI_LIMITS.terminalDigits,
    SMDI_LIMITS.terminalDigits,
  );
  if (!SMDI_CALL_TYPES.includes(detail.type)) {
    throw new SmdiEncodeError("type", `expected one of ${SMDI_CALL_TYPES.join(", ")}`);
  }
  const forwarding = requireDigits(
    "forwardingStation",
    detail.forwardingStation,
    1,
    SMDI_LIMITS.stationWidth,
  );
  const calling = requireDigits(
    "callingStation",
    detail.callingStation,
    0,
    SMDI_LIMITS.callingStationMaxDigits,
  );
  const station = forwarding.padEnd(SMDI_LIMITS.stationWidth, " ");
  return bytes(
    `${FRAME_MARKERS.callDetail}${desk}${terminal}${detail.type}${station} ${calling} \r\n${EM}`,
  );
}

/** `OP:MWI <station>!^D` (lamp on) or `RMV:MWI <station>!^D` (lamp off), VM → switch. */
export function encodeMwi(command: { on: boolean; station: string }): Buffer {
  const station = requireDigits("station", command.station, 1, SMDI_LIMITS.stationWidth);
  const marker = command.on ? FRAME_MARKERS.mwiOn : FRAME_MARKERS.mwiOff;
  return bytes(`${marker} ${station}!${EOT}`);
}

/** `\r\nMWI<station> INV\r\n^Y` or `… BLK …`, switch → VM. */
export function encodeMwiError(error: { station: string; reason: SmdiMwiErrorReason }): Buffer {
  const station = requireDigits("station", error.station, 1, SMDI_LIMITS.stationWidth);
  if (!SMDI_MWI_ERROR_REASONS.includes(error.reason)) {
    throw new SmdiEncodeError("reason", "expected INV or BLK");
  }
  return bytes(`${FRAME_MARKERS.mwiError}${station} ${error.reason}\r\n${EM}`);
}

export function encodeFrame(frame: SmdiFrame): Buffer {
  switch (frame.kind) {
    case "call-detail":
      return encodeCallDetail(frame);
    case "mwi":
      return encodeMwi(frame);
    case "mwi-error":
      return encodeMwiError(frame);
  }
}

export interface SmdiDecoderOptions {
  /** Called once per run of skipped bytes, when the run ends (or reaches `maxGarbageRun`). */
  onGarbage?: (bytes: number) => void;
  /** A run of garbage is reported and forgotten at this size (default 4096 bytes). */
  maxGarbageRun?: number;
  /** A frame still incomplete after this many bytes is garbage (default 256). */
  maxFrameBytes?: number;
}

/**
 * Cuts a byte stream into SMDI frames. Bytes that cannot start or continue a frame are skipped and
 * counted; decoding picks up at the next `OP:MWI`, `RMV:MWI`, `\r\nMD` or `\r\nMWI`. Only an
 * unfinished frame is held between chunks, so memory stays under `maxFrameBytes`.
 */
export class SmdiDecoder {
  readonly #onGarbage: ((bytes: number) => void) | undefined;
  readonly #maxGarbageRun: number;
  readonly #maxFrameBytes: number;
  #pending = "";
  #run = 0;
  #garbageBytes = 0;

  constructor(options: SmdiDecoderOptions = {}) {
    this.#onGarbage = options.onGarbage;
    this.#maxGarbageRun = Math.max(1, options.maxGarbageRun ?? 4096);
    this.#maxFrameBytes = Math.max(32, options.maxFrameBytes ?? 256);
  }

  /** Every byte skipped so far, reported or not. */
  get garbageBytes(): number {
    return this.#garbageBytes;
  }

  /** Bytes held for an unfinished frame. */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Feeds a chunk; returns the frames it completed, in order. Never throws on any input. */
  push(chunk: Uint8Array | string): SmdiFrame[] {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1");
    const buf = this.#pending + text;
    const frames: SmdiFrame[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const result = parseFrameAt(buf, pos);
      if (result?.status === "frame") {
        this.#endRun();
        frames.push(result.frame);
        pos += result.length;
      } else if (result?.status === "incomplete" && buf.length - pos <= this.#maxFrameBytes) {
        break;
      } else {
        this.#skip(1);
        pos++;
      }
    }
    this.#pending = buf.slice(pos);
    return frames;
  }

  /**
   * Drops an unfinished frame (the link went down mid-frame) and reports it with any garbage
   * before it as one skipped run. Returns the number of bytes dropped.
   */
  reset(): number {
    const dropped = this.#run + this.#pending.length;
    this.#skip(this.#pending.length);
    this.#pending = "";
    this.#endRun();
    return dropped;
  }

  #skip(n: number): void {
    this.#run += n;
    this.#garbageBytes += n;
    if (this.#run >= this.#maxGarbageRun) this.#endRun();
  }

  #endRun(): void {
    if (this.#run === 0) return;
    const run = this.#run;
    this.#run = 0;
    this.#onGarbage?.(run);
  }
}
