// SMDI frame model (Telcordia GR-283-CORE, Simplified Message Desk Interface): the three frame
// kinds omnivox exchanges with a legacy voicemail system, their field rules and the wire markers.

/** Call type of a call detail: Direct, forward All, forward Busy, forward No answer, Unknown. */
export type SmdiCallType = "D" | "A" | "B" | "N" | "U";
export const SMDI_CALL_TYPES: readonly SmdiCallType[] = ["D", "A", "B", "N", "U"];

/** Why the switch refused an MWI command: invalid station, or MWI blocked for it. */
export type SmdiMwiErrorReason = "INV" | "BLK";
export const SMDI_MWI_ERROR_REASONS: readonly SmdiMwiErrorReason[] = ["INV", "BLK"];

export interface SmdiCallDetail {
  /** Message desk number, 3 digits. */
  desk: string;
  /** Message desk terminal (the voicemail port the call arrives on), 4 digits. */
  terminal: string;
  type: SmdiCallType;
  /** The station whose box gets the message, 1–10 digits (10 wide, space padded, on the wire). */
  forwardingStation: string;
  /** The caller's number (ANI), 0–15 digits; empty when the switch does not know it. */
  callingStation: string;
}

/** Call detail, switch → voicemail. */
export interface SmdiCallDetailFrame extends SmdiCallDetail {
  kind: "call-detail";
}
/** MWI lamp on (`OP:MWI`) or off (`RMV:MWI`), voicemail → switch. */
export interface SmdiMwiFrame {
  kind: "mwi";
  on: boolean;
  station: string;
}
/** MWI command refused, switch → voicemail. */
export interface SmdiMwiErrorFrame {
  kind: "mwi-error";
  station: string;
  reason: SmdiMwiErrorReason;
}
export type SmdiFrame = SmdiCallDetailFrame | SmdiMwiFrame | SmdiMwiErrorFrame;

/** Field widths and limits shared by the encoder and the parser. */
export const SMDI_LIMITS = {
  deskDigits: 3,
  terminalDigits: 4,
  /** GR-283 gives the forwarding station a fixed field of 10, padded with spaces. */
  stationWidth: 10,
  callingStationMaxDigits: 15,
  /** Padding between fields the parser tolerates (a 10-wide field plus separators fits). */
  maxSpaces: 16,
} as const;

/** Bytes that open a frame; the decoder resyncs on the first of these after garbage. */
export const FRAME_MARKERS = {
  mwiOn: "OP:MWI",
  mwiOff: "RMV:MWI",
  callDetail: "\r\nMD",
  mwiError: "\r\nMWI",
} as const;
export const MARKER_LIST: readonly string[] = Object.values(FRAME_MARKERS);

/** Ctrl-D ends a frame sent by the voicemail system; Ctrl-Y ends one sent by the switch. */
export const EOT = "\x04";
export const EM = "\x19";

/** A frame that cannot be put on the wire as given (a caller's mistake, never network input). */
export class SmdiEncodeError extends RangeError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`SMDI ${field}: ${reason}`);
    this.name = "SmdiEncodeError";
  }
}

const DIGITS = /^[0-9]*$/;

export function isDigits(value: string, min: number, max: number): boolean {
  return value.length >= min && value.length <= max && DIGITS.test(value);
}

export function requireDigits(field: string, value: string, min: number, max: number): string {
  if (typeof value !== "string" || !isDigits(value, min, max)) {
    const size = min === max ? `${min}` : `${min}–${max}`;
    throw new SmdiEncodeError(field, `expected ${size} digits, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function isStation(value: string): boolean {
  return isDigits(value, 1, SMDI_LIMITS.stationWidth);
}
