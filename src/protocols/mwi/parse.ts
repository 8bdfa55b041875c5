// Parser for RFC 3842 §5.2 message-summary bodies. It is lenient where a phone or voicemail system
// would be (bad or unknown lines are skipped with a warning) and fails only without a status line.
import {
  CLASS_HEADER,
  DEFAULT_MESSAGE_SUMMARY_LIMITS,
  MAX_MESSAGE_COUNT,
  MESSAGE_CLASSES,
  type MessageClass,
  type MessageCounts,
  type MessageSummary,
  type MessageSummaryLimits,
  type ParseResult,
} from "./types.ts";

// RFC 3261 §25.1 token: what a header name may be.
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// newmsgs SLASH oldmsgs [LPAREN new-urgentmsgs SLASH old-urgentmsgs RPAREN]; SLASH and the
// parentheses allow white space on either side (RFC 3261 §25.1 SWS).
const COUNTS = /^(\d+)\s*\/\s*(\d+)(?:\s*\(\s*(\d+)\s*\/\s*(\d+)\s*\))?$/;

const CLASS_BY_NAME = new Map<string, MessageClass>(
  MESSAGE_CLASSES.map((c) => [CLASS_HEADER[c].toLowerCase(), c]),
);

/** A short, printable excerpt of a line for a warning. */
function quote(line: string): string {
  const s = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return JSON.stringify(s);
}

class Warnings {
  readonly list: string[] = [];
  readonly #max: number;
  #dropped = 0;

  constructor(max: number) {
    this.#max = max;
  }

  add(message: string): void {
    if (this.list.length < this.#max) this.list.push(message);
    else this.#dropped++;
  }

  done(): string[] {
    if (this.#dropped > 0) this.list.push(`${this.#dropped} more warnings not shown`);
    return this.list;
  }
}

/** Joins folded lines (a line starting with white space continues the previous one). */
function unfold(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    const prev = out[out.length - 1];
    if (/^[ \t]/.test(line) && line.trim() !== "" && prev !== undefined && prev.line !== "") {
      prev.line = `${prev.line} ${line.trim()}`;
    } else {
      out.push({ line, n: i + 1 });
    }
  }
  return out;
}

function parseCounts(value: string): MessageCounts | "syntax" | "range" {
  const m = COUNTS.exec(value);
  if (m === null) return "syntax";
  const nums = m.slice(1).map((d) => (d === undefined ? undefined : Number(d)));
  if (nums.some((x) => x !== undefined && x > MAX_MESSAGE_COUNT)) return "range";
  const [n, o, un, uo] = nums;
  const counts: MessageCounts = { new: n!, old: o! };
  if (un !== undefined && uo !== undefined) {
    counts.urgentNew = un;
    counts.urgentOld = uo;
  }
  return counts;
}

function tooLarge(text: string, maxBytes: number): boolean {
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap test comes first.
  return text.length > maxBytes || Buffer.byteLength(text, "utf8") > maxBytes;
}

/** Parses a message-summary body; the result's warnings name every line that was skipped. */
export function parseMessageSummary(
  text: string,
  limits: Partial<MessageSummaryLimits> = {},
): ParseResult<MessageSummary> {
  const lim = { ...DEFAULT_MESSAGE_SUMMARY_LIMITS, ...limits };
  if (typeof text !== "string") return { ok: false, error: "body is not text" };
  if (tooLarge(text, lim.maxBytes))
    return { ok: false, error: `too large (over ${lim.maxBytes} bytes)` };

  const warnings = new Warnings(lim.maxWarnings);
  let waiting: boolean | undefined;
  let account: string | undefined;
  const classes: Partial<Record<MessageClass, MessageCounts>> = {};
  const extra: [string, string][] = [];
  let inContext = false;

  for (const { line, n } of unfold(text)) {
    if (line.trim() === "") {
      // The message-context headers start after the first blank line (opt-msg-headers).
      if (waiting !== undefined || Object.keys(classes).length > 0) inContext = true;
      continue;
    }
    // A NUL or lone CR could never be written back out safely, so the line is not kept.
    if (/[\0\r]/.test(line)) {
      warnings.add(`line ${n}: NUL or CR inside the line, ignored`);
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim();
    const value = colon < 0 ? "" : line.slice(colon + 1).trim();
    if (!TOKEN.test(name)) {
      warnings.add(`line ${n}: not a header, ignored: ${quote(line)}`);
      continue;
    }
    if (inContext) {
      if (extra.length < lim.maxExtraHeaders) extra.push([name, value]);
      else warnings.add(`line ${n}: more than ${lim.maxExtraHeaders} message headers, ignored`);
      continue;
    }

    const lower = name.toLowerCase();
    if (lower === "messages-waiting") {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") {
        return {
          ok: false,
          error: `line ${n}: Messages-Waiting must be yes or no, not ${quote(value)}`,
        };
      }
      if (waiting !== undefined) warnings.add(`line ${n}: repeated Messages-Waiting ignored`);
      else waiting = v === "yes";
    } else if (lower === "message-account") {
      if (value === "") warnings.add(`line ${n}: empty Message-Account ignored`);
      else if (account !== undefined) warnings.add(`line ${n}: repeated Message-Account ignored`);
      else account = value;
    } else {
      const cls = CLASS_BY_NAME.get(lower);
      if (cls === undefined) {
        warnings.add(`line ${n}: unknown header ${quote(name)} ignored`);
        continue;
      }
      const counts = parseCounts(value);
      if (counts === "syntax") {
        warnings.add(
          `line ${n}: ${CLASS_HEADER[cls]} counts ${quote(value)} are not new/old, ignored`,
        );
      } else if (counts === "range") {
        warnings.add(
          `line ${n}: ${CLASS_HEADER[cls]} count over ${MAX_MESSAGE_COUNT}, line ignored`,
        );
      } else if (classes[cls] !== undefined) {
        warnings.add(`line ${n}: repeated ${CLASS_HEADER[cls]} ignored`);
      } else {
        classes[cls] = counts;
      }
    }
  }

  if (waiting === undefined) {
    return { ok: false, error: "no Messages-Waiting line (empty or truncated body)" };
  }
  const value: MessageSummary = { waiting, classes };
  if (account !== undefined) value.account = account;
  if (extra.length > 0) value.extraHeaders = extra;
  return { ok: true, value, warnings: warnings.done() };
}
