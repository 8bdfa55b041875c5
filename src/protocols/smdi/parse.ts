// Parses one SMDI frame (Telcordia GR-283-CORE) at a position of the decoder's buffer and says
// whether it is complete, needs more bytes, or cannot be a frame (the decoder then resyncs).

import {
  EM,
  EOT,
  FRAME_MARKERS,
  SMDI_CALL_TYPES,
  SMDI_LIMITS,
  SMDI_MWI_ERROR_REASONS,
  type SmdiCallType,
  type SmdiFrame,
  type SmdiMwiErrorReason,
} from "./frames.ts";

export type ParseResult =
  | { status: "frame"; frame: SmdiFrame; length: number }
  | { status: "incomplete" }
  | { status: "invalid" };

const INCOMPLETE: ParseResult = { status: "incomplete" };
const INVALID: ParseResult = { status: "invalid" };

const CR = "\r".charCodeAt(0);
const O = "O".charCodeAt(0);
const R = "R".charCodeAt(0);

/** Reads fields left to right; every read stops at the end of the buffer, which `atEnd` reports. */
class Reader {
  constructor(
    readonly buf: string,
    public pos: number,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  digits(max: number): string {
    const from = this.pos;
    while (this.pos < this.buf.length && this.pos - from < max) {
      const c = this.buf.charCodeAt(this.pos);
      if (c < 48 || c > 57) break;
      this.pos++;
    }
    return this.buf.slice(from, this.pos);
  }

  spaces(): number {
    const from = this.pos;
    while (this.pos < this.buf.length && this.pos - from < SMDI_LIMITS.maxSpaces) {
      if (this.buf[this.pos] !== " ") break;
      this.pos++;
    }
    return this.pos - from;
  }

  /** Matches `text` at the cursor: "ok" (and advances), "incomplete" at the end, or "invalid". */
  literal(text: string): "ok" | "incomplete" | "invalid" {
    const have = this.buf.slice(this.pos, this.pos + text.length);
    if (have === text) {
      this.pos += text.length;
      return "ok";
    }
    return have.length < text.length && text.startsWith(have) ? "incomplete" : "invalid";
  }
}

function done(r: Reader, start: number, frame: SmdiFrame): ParseResult {
  return { status: "frame", frame, length: r.pos - start };
}

/** `OP:MWI <station>!^D` or `RMV:MWI <station>!^D`; the cursor stands after the marker. */
function parseMwi(r: Reader, start: number, on: boolean): ParseResult {
  const gap = r.spaces();
  if (r.atEnd) return INCOMPLETE;
  if (gap === 0) return INVALID;
  const station = r.digits(SMDI_LIMITS.stationWidth);
  if (r.atEnd) return INCOMPLETE;
  if (station === "") return INVALID;
  r.spaces(); // a station padded to its 10-wide field
  const end = r.literal(`!${EOT}`);
  if (end !== "ok") return end === "incomplete" ? INCOMPLETE : INVALID;
  return done(r, start, { kind: "mwi", on, station });
}

/** `MD` desk(3) terminal(4) type fwd(≤10, padded or not) ` ` calling ` \r\n^Y`. */
function parseCallDetail(r: Reader, start: number): ParseResult {
  const desk = r.digits(SMDI_LIMITS.deskDigits);
  if (r.atEnd) return INCOMPLETE;
  if (desk.length !== SMDI_LIMITS.deskDigits) return INVALID;
  const terminal = r.digits(SMDI_LIMITS.terminalDigits);
  if (r.atEnd) return INCOMPLETE;
  if (terminal.length !== SMDI_LIMITS.terminalDigits) return INVALID;
  const type = r.buf[r.pos] as SmdiCallType;
  if (!SMDI_CALL_TYPES.includes(type)) return INVALID;
  r.pos++;
  const forwardingStation = r.digits(SMDI_LIMITS.stationWidth);
  if (r.atEnd) return INCOMPLETE;
  if (forwardingStation === "") return INVALID;
  const gap = r.spaces();
  if (r.atEnd) return INCOMPLETE;
  if (gap === 0) return INVALID;
  const callingStation = r.digits(SMDI_LIMITS.callingStationMaxDigits);
  if (r.atEnd) return INCOMPLETE;
  r.spaces();
  const end = r.literal(`\r\n${EM}`);
  if (end !== "ok") return end === "incomplete" ? INCOMPLETE : INVALID;
  const frame: SmdiFrame = {
    kind: "call-detail",
    desk,
    terminal,
    type,
    forwardingStation,
    callingStation,
  };
  return done(r, start, frame);
}

/** `MWI` station ` ` (INV|BLK) `\r\n^Y`. */
function parseMwiError(r: Reader, start: number): ParseResult {
  const station = r.digits(SMDI_LIMITS.stationWidth);
  if (r.atEnd) return INCOMPLETE;
  if (station === "") return INVALID;
  const gap = r.spaces();
  if (r.atEnd) return INCOMPLETE;
  if (gap === 0) return INVALID;
  const word = r.buf.slice(r.pos, r.pos + 3);
  const reason = SMDI_MWI_ERROR_REASONS.find((x) => x.startsWith(word));
  if (reason === undefined) return INVALID;
  if (word.length < 3) return INCOMPLETE;
  r.pos += 3;
  const end = r.literal(`\r\n${EM}`);
  if (end !== "ok") return end === "incomplete" ? INCOMPLETE : INVALID;
  return done(r, start, { kind: "mwi-error", station, reason: reason as SmdiMwiErrorReason });
}

const PARSERS: ReadonlyArray<readonly [string, (r: Reader, start: number) => ParseResult]> = [
  [FRAME_MARKERS.mwiOn, (r, s) => parseMwi(r, s, true)],
  [FRAME_MARKERS.mwiOff, (r, s) => parseMwi(r, s, false)],
  [FRAME_MARKERS.callDetail, parseCallDetail],
  [FRAME_MARKERS.mwiError, parseMwiError],
];

/**
 * The frame starting at `start`, or `null` when no frame marker starts there. A buffer that ends
 * inside a marker (e.g. `\r\nM`) counts as an incomplete frame.
 */
export function parseFrameAt(buf: string, start: number): ParseResult | null {
  const first = buf.charCodeAt(start);
  if (first !== O && first !== R && first !== CR) return null;
  const tail = buf.length - start;
  let partial = false;
  for (const [marker, parse] of PARSERS) {
    if (buf.startsWith(marker, start)) return parse(new Reader(buf, start + marker.length), start);
    if (tail < marker.length && marker.startsWith(buf.slice(start))) partial = true;
  }
  return partial ? INCOMPLETE : null;
}
