// Turns a legacy box's RFC 3842 message-summary into the MWI report of one voicemail system: the
// voice class's counts, and the last caller from the message-context headers (RFC 3842 §5.2,
// From/To/Date) or, without them, the arrival time of the NOTIFY that brought a new message.

import type { LastCaller, MwiCounts, MwiReport } from "../../core/mwi.ts";
import type { MessageSummary } from "../../protocols/mwi/index.ts";
import { parseNameAddr, parseUri } from "../../protocols/sip/message/index.ts";

/** What the previous summary of the same system said, to tell a new message from a repeat. */
export interface ReportMemory {
  new?: number;
  context?: string;
}

export type SummaryOutcome =
  | { ok: true; report: MwiReport }
  /** The body gave no usable voice counts (a Voice-Message line was refused): keep the state. */
  | { ok: false; why: string };

export function reportOf(
  summary: MessageSummary,
  warnings: readonly string[],
  receivedAt: Date,
  memory: ReportMemory,
): SummaryOutcome {
  const counts = voiceCounts(summary, warnings);
  if (!counts) return { ok: false, why: "no usable Voice-Message counts" };
  const report: MwiReport = { counts };
  const context = contextOf(summary.extraHeaders ?? [], receivedAt);
  const arrived = memory.new !== undefined && counts.new > memory.new;
  if (context && (context.key !== memory.context || arrived)) report.lastCaller = context.caller;
  else if (!context && arrived) report.lastCaller = { at: receivedAt };
  memory.new = counts.new;
  if (context) memory.context = context.key;
  return { ok: true, report };
}

function voiceCounts(summary: MessageSummary, warnings: readonly string[]): MwiCounts | undefined {
  const voice = summary.classes.voice;
  if (voice) {
    return {
      new: voice.new,
      old: voice.old,
      urgentNew: voice.urgentNew ?? 0,
      urgentOld: voice.urgentOld ?? 0,
    };
  }
  // A skipped line may have been the Voice-Message one (a count over 2^32−1, a body cut short):
  // the counts are unknown, and guessing from the lamp alone could undo a right state.
  if (warnings.length > 0) return undefined;
  // Only "Messages-Waiting: yes" and no class at all: a box that tells nothing but the lamp.
  const lampOnly = Object.keys(summary.classes).length === 0 && summary.waiting;
  return { new: lampOnly ? 1 : 0, old: 0, urgentNew: 0, urgentOld: 0 };
}

/** The caller and called numbers and the time of the newest message, when the body names them. */
function contextOf(
  headers: ReadonlyArray<[string, string]>,
  receivedAt: Date,
): { key: string; caller: LastCaller } | undefined {
  const get = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const from = get("from");
  const to = get("to");
  const date = get("date");
  if (from === undefined && to === undefined && date === undefined) return undefined;
  const parsed = date === undefined ? Number.NaN : Date.parse(date);
  const caller: LastCaller = { at: Number.isNaN(parsed) ? receivedAt : new Date(parsed) };
  const ani = numberOf(from);
  const dnis = numberOf(to);
  if (ani !== undefined) caller.ani = ani;
  if (dnis !== undefined) caller.dnis = dnis;
  return { key: JSON.stringify([from, to, date]), caller };
}

/** The user part of a SIP URI or the number of a tel URI, as ANI/DNIS are shown. */
export function numberOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const uri = parseNameAddr(value)?.uri ?? value.trim();
  const parsed = parseUri(uri);
  const user = parsed?.user;
  if (user) return user.slice(0, 64);
  return /^\+?[0-9*#]{1,32}$/.test(uri) ? uri : undefined;
}
