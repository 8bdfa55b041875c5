// Writer for RFC 3842 §5.2 message-summary bodies (the NOTIFY body we send to phones): status line,
// account, one line per class in RFC 3458 order, then the message-context headers.
import {
  CLASS_HEADER,
  MAX_MESSAGE_COUNT,
  MESSAGE_CLASSES,
  type MessageCounts,
  type MessageSummary,
} from "./types.ts";

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

function count(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_MESSAGE_COUNT) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_MESSAGE_COUNT}, got ${n}`);
  }
  return n;
}

/** A CR or LF in a value would let a caller-supplied string forge lines of the body. */
function text(what: string, value: string): string {
  if (/[\0\r\n]/.test(value)) throw new RangeError(`${what} contains NUL, CR or LF`);
  return value.trim();
}

function countsValue(header: string, c: MessageCounts): string {
  const base = `${count(`${header} new`, c.new)}/${count(`${header} old`, c.old)}`;
  if (c.urgentNew === undefined && c.urgentOld === undefined) return base;
  // The grammar has both urgent counts or neither; a missing one is zero.
  const un = count(`${header} urgent new`, c.urgentNew ?? 0);
  const uo = count(`${header} urgent old`, c.urgentOld ?? 0);
  return `${base} (${un}/${uo})`;
}

/** Writes a body with CRLF line ends; throws RangeError on counts or text that cannot be sent. */
export function formatMessageSummary(summary: MessageSummary): string {
  const lines = [`Messages-Waiting: ${summary.waiting ? "yes" : "no"}`];
  if (summary.account !== undefined) {
    lines.push(`Message-Account: ${text("Message-Account", summary.account)}`);
  }
  for (const cls of MESSAGE_CLASSES) {
    const c = summary.classes[cls];
    if (c !== undefined) lines.push(`${CLASS_HEADER[cls]}: ${countsValue(CLASS_HEADER[cls], c)}`);
  }
  const extra = summary.extraHeaders ?? [];
  if (extra.length > 0) {
    lines.push("");
    for (const [name, value] of extra) {
      if (!TOKEN.test(name))
        throw new RangeError(`message header name ${JSON.stringify(name)} is not a token`);
      lines.push(`${name}: ${text(name, value)}`);
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
