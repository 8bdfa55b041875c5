// Where a retargeted (forwarded) INVITE was meant to go: Diversion (RFC 5806), History-Info
// (RFC 7044, with the RFC 4458 voicemail URI in its entries), the RFC 4458 `target`/`cause`
// Request-URI parameters, then the Request-URI user. README "Forwarded calls" gives the order.

import {
  parseNameAddr,
  parseUri,
  type SipRequest,
  type SipUri,
  splitList,
} from "../message/index.ts";

export interface Retarget {
  /**
   * Mailbox candidates, most specific first: the Diversion entries from the most recent (topmost)
   * to the original, the History-Info entry the voicemail was reached from and then the others
   * newest first, the RFC 4458 `target`. The Request-URI user is not among them (see `requestUser`).
   */
  candidates: string[];
  /** The number the caller dialled: the original target of the first source that has one. */
  dialled?: string;
  /** SIP response code the call was diverted for (RFC 4458 §3.2: 486 busy, 408 no answer, …). */
  cause?: number;
  /** The user part of the Request-URI as received (the voicemail pilot when forwarded). */
  requestUser?: string;
}

/** RFC 5806 §2 diversion-reason → the response code RFC 4458 uses for the same case. */
const DIVERSION_CAUSE: Readonly<Record<string, number>> = {
  "user-busy": 486,
  "no-answer": 408,
  unavailable: 480,
  unconditional: 302,
  "time-of-day": 302,
  "do-not-disturb": 480,
  deflection: 487,
  "follow-me": 302,
  "out-of-service": 503,
  away: 480,
};

function causeOf(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 300 && n <= 699 ? n : undefined;
}

/** The user part of a SIP or tel URI, or a bare number written as the parameter value. */
function userOfUri(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const uri = parseUri(value.trim());
  if (uri) return uri.user || undefined;
  // RFC 4458 `target` escapes the AOR; some PBXs put only the number there.
  return /^\+?[0-9*#]{1,32}$/.test(value.trim()) ? value.trim() : undefined;
}

function entries(req: SipRequest, name: string): string[] {
  return req.headers.getAll(name).flatMap((v) => splitList(v));
}

interface Diversion {
  user: string;
  cause?: number;
}

function diversions(req: SipRequest): Diversion[] {
  const out: Diversion[] = [];
  for (const value of entries(req, "diversion")) {
    const na = parseNameAddr(value);
    const user = userOfUri(na?.uri);
    if (!na || !user) continue;
    const reason = na.params.get("reason")?.replace(/^"|"$/g, "").toLowerCase();
    const cause = reason ? DIVERSION_CAUSE[reason] : undefined;
    out.push(cause === undefined ? { user } : { user, cause });
  }
  return out;
}

interface HistoryEntry {
  uri: SipUri;
  index: string;
  /** RFC 7044 §10.3: the index this entry was retargeted (mp) or re-routed (rc) from. */
  from?: string;
  mapped: boolean;
}

function historyEntries(req: SipRequest): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const value of entries(req, "history-info")) {
    const na = parseNameAddr(value);
    const uri = na ? parseUri(na.uri) : null;
    const index = na?.params.get("index");
    if (!na || !uri || !index) continue;
    const mp = na.params.get("mp");
    const rc = na.params.get("rc");
    const from = mp ?? rc ?? undefined;
    out.push({ uri, index, mapped: mp != null, ...(from ? { from } : {}) });
  }
  return out;
}

/** The SIP cause in an escaped `Reason` header of a History-Info URI (RFC 7044 §4.3.1). */
function reasonCause(uri: SipUri): number | undefined {
  for (const [name, value] of uri.headers) {
    if (name.toLowerCase() !== "reason") continue;
    const m = /^\s*SIP\s*;(?:.*;)?\s*cause\s*=\s*(\d{3})/i.exec(value);
    if (m) return causeOf(m[1]);
  }
  return undefined;
}

interface HistoryResult {
  box?: string;
  others: string[];
  dialled?: string;
  cause?: number;
}

/**
 * RFC 7044: the last entry is the target that reached us. Its own RFC 4458 `target` names the
 * box when it has one; else the entry it was mapped from (`mp`), else the entry before it.
 * The cause is the voicemail entry's `cause`, else the Reason of the entry before it.
 */
function history(req: SipRequest): HistoryResult | undefined {
  const list = historyEntries(req);
  const last = list[list.length - 1];
  if (!last || list.length < 2) {
    // One entry only says where the request went; a target in it still names the box.
    const target = userOfUri(last?.uri.params.get("target"));
    if (!last || !target) return undefined;
    const cause = causeOf(last.uri.params.get("cause"));
    return { box: target, others: [], dialled: target, ...(cause ? { cause } : {}) };
  }
  const earlier = list.slice(0, -1);
  const byIndex = new Map(earlier.map((e) => [e.index, e]));
  const parent = (last.from ? byIndex.get(last.from) : undefined) ?? earlier[earlier.length - 1]!;
  const box = userOfUri(last.uri.params.get("target")) ?? parent.uri.user;
  const cause =
    causeOf(last.uri.params.get("cause")) ??
    reasonCause(parent.uri) ??
    reasonCause(earlier[earlier.length - 1]!.uri);
  const others = earlier
    .map((e) => e.uri.user)
    .filter((u): u is string => !!u && u !== box)
    .reverse();
  const dialled = list[0]!.uri.user;
  return {
    ...(box ? { box } : {}),
    others,
    ...(dialled ? { dialled } : {}),
    ...(cause ? { cause } : {}),
  };
}

export function retargetOf(req: SipRequest): Retarget {
  const ruri = parseUri(req.uri);
  const requestUser = ruri?.user || undefined;
  const candidates: string[] = [];
  const dialledFrom: Array<string | undefined> = [];
  const causes: Array<number | undefined> = [];

  const div = diversions(req);
  candidates.push(...div.map((d) => d.user));
  dialledFrom.push(div[div.length - 1]?.user);
  causes.push(div[0]?.cause);

  const hi = history(req);
  if (hi) {
    if (hi.box) candidates.push(hi.box);
    candidates.push(...hi.others);
    dialledFrom.push(hi.dialled);
    causes.push(hi.cause);
  }

  const target = userOfUri(ruri?.params.get("target"));
  if (target) candidates.push(target);
  dialledFrom.push(target);
  causes.push(causeOf(ruri?.params.get("cause")));

  const unique = [...new Set(candidates)];
  const dialled = dialledFrom.find((d) => d !== undefined);
  const cause = causes.find((c) => c !== undefined);
  return {
    candidates: unique,
    ...(dialled ? { dialled } : {}),
    ...(cause ? { cause } : {}),
    ...(requestUser ? { requestUser } : {}),
  };
}
