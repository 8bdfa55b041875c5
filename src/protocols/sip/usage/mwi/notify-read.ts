// Reads a message-summary NOTIFY on the subscriber side (RFC 6665 §4.1.3, §8.2.3; RFC 3842 §5):
// the Event package, the Subscription-State with its reason, expires and retry-after, and the body.

import { type MessageSummary, parseMessageSummary } from "../../../mwi/index.ts";
import type { SipRefusal } from "../../errors.ts";
import type { SipRequest } from "../../message/index.ts";
import { EVENT_PACKAGE, SUMMARY_TYPE } from "./request.ts";

export interface SubscriptionState {
  /** "active", "pending", "terminated", or an extension value (treated as pending, §4.1.3). */
  value: string;
  reason?: string;
  expires?: number;
  retryAfter?: number;
}

export type NotifyRead =
  | {
      ok: true;
      state: SubscriptionState | undefined;
      eventId?: string;
      /** Absent when the NOTIFY carried no body (allowed, e.g. while pending). */
      summary?: MessageSummary;
      /** Lines of the body the parser skipped (unknown lines, counts over 2^32−1). */
      warnings: string[];
    }
  | ({
      ok: false;
      /** What was wrong, for one log line. */
      error: string;
    } & SipRefusal);

const DELTA = /^[0-9]{1,10}$/;

/** `substate-value *( ";" subexp-params )`; null when there is no value at all. */
export function parseSubscriptionState(value: string | undefined): SubscriptionState | null {
  if (value === undefined) return null;
  const [head, ...params] = value.split(";").map((p) => p.trim());
  if (!head || !/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(head)) return null;
  const state: SubscriptionState = { value: head.toLowerCase() };
  for (const p of params) {
    const eq = p.indexOf("=");
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? "" : p.slice(eq + 1).trim();
    if (name === "reason" && v) state.reason = v.toLowerCase();
    // A delta-seconds too long for 32 bits is a broken peer; ignoring it keeps our own timers.
    else if (name === "expires" && DELTA.test(v)) state.expires = Number(v);
    else if (name === "retry-after" && DELTA.test(v)) state.retryAfter = Number(v);
  }
  return state;
}

const refuse = (
  status: number,
  reason: string,
  error: string,
  headers: Array<[string, string]> = [],
): NotifyRead => ({ ok: false, status, reason, headers, error });

/**
 * Checks a NOTIFY and parses its body. `requireState` is false for unsolicited NOTIFYs, which
 * some voicemail systems send without Subscription-State.
 */
export function readNotify(req: SipRequest, requireState = true): NotifyRead {
  const event = (req.headers.get("event") ?? "").split(";").map((p) => p.trim());
  if (event[0]?.toLowerCase() !== EVENT_PACKAGE) {
    return refuse(489, "Bad Event", `event package "${event[0] ?? ""}" is not message-summary`, [
      ["Allow-Events", EVENT_PACKAGE],
    ]);
  }
  const id = event
    .slice(1)
    .map((p) => /^id\s*=\s*(\S+)$/i.exec(p)?.[1])
    .find((v) => v !== undefined);
  const rawState = req.headers.get("subscription-state");
  const state = parseSubscriptionState(rawState);
  if (state === null && (requireState || rawState !== undefined)) {
    return refuse(400, "Bad Subscription-State", "missing or unreadable Subscription-State");
  }
  const base = { ok: true as const, state: state ?? undefined, ...(id ? { eventId: id } : {}) };
  if (req.body.length === 0) return { ...base, warnings: [] };
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== SUMMARY_TYPE) {
    return refuse(415, "Unsupported Media Type", `body of type "${type ?? ""}"`, [
      ["Accept", SUMMARY_TYPE],
    ]);
  }
  const parsed = parseMessageSummary(req.body.toString("utf8"));
  if (!parsed.ok) return refuse(400, "Bad message-summary Body", parsed.error);
  return { ...base, summary: parsed.value, warnings: parsed.warnings };
}
