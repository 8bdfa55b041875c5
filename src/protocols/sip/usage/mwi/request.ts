// Reads what a SUBSCRIBE asks of the message-summary notifier (RFC 6665 §4.2.1, §8.2.1; RFC 3842
// §4): the event package and its id, the Accept list and the requested duration, or the refusal.

import type { SipRefusal } from "../../errors.ts";
import { parseNameAddr, parseUri, type SipRequest, splitList } from "../../message/index.ts";

export const EVENT_PACKAGE = "message-summary";
export const SUMMARY_TYPE = "application/simple-message-summary";

export interface ExpiryLimits {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
}

export type SubscribeRead =
  | {
      ok: true;
      /** The Event header's id parameter, echoed in every NOTIFY (RFC 6665 §8.2.1). */
      eventId?: string;
      /** The granted duration in seconds; 0 asks for a fetch or an unsubscribe. */
      expires: number;
    }
  | ({ ok: false } & SipRefusal);

const refuse = (status: number, reason: string, headers: Array<[string, string]> = []) =>
  ({ ok: false, status, reason, headers }) as const;

/** The value of the Event header we send: the package, with the subscriber's id if it gave one. */
export function eventHeader(eventId: string | undefined): string {
  return eventId === undefined ? EVENT_PACKAGE : `${EVENT_PACKAGE};id=${eventId}`;
}

export function readSubscribe(req: SipRequest, limits: ExpiryLimits): SubscribeRead {
  const event = req.headers.get("event");
  const parts = (event ?? "").split(";").map((p) => p.trim());
  // Event types are tokens; RFC 6665 §8.2.1 compares them byte for byte, we forgive case.
  if (parts[0]?.toLowerCase() !== EVENT_PACKAGE) {
    return refuse(489, "Bad Event", [["Allow-Events", EVENT_PACKAGE]]);
  }
  let eventId: string | undefined;
  for (const p of parts.slice(1)) {
    const m = /^id\s*=\s*([A-Za-z0-9\-.!%*_+`'~]+)$/i.exec(p);
    if (m) eventId = m[1];
    else if (/^id\s*=/i.test(p)) return refuse(400, "Bad Event Id");
  }

  const accept = req.headers.getAll("accept").flatMap((v) => splitList(v));
  if (accept.length > 0 && !accept.some(acceptsSummary)) {
    return refuse(406, "Not Acceptable", [["Accept", SUMMARY_TYPE]]);
  }

  const value = req.headers.get("expires");
  let expires = limits.defaultExpires;
  if (value !== undefined) {
    const v = value.trim();
    if (!/^[0-9]+$/.test(v)) return refuse(400, "Bad Expires");
    // RFC 3261 §20.19: a value beyond 2^32-1 counts as 2^32-1; either way maxExpires caps it.
    expires = v.length > 10 ? 2 ** 32 - 1 : Number(v);
  }
  if (expires > 0 && expires < limits.minExpires) {
    return refuse(423, "Interval Too Brief", [["Min-Expires", String(limits.minExpires)]]);
  }
  return {
    ok: true,
    ...(eventId === undefined ? {} : { eventId }),
    expires: Math.min(expires, limits.maxExpires),
  };
}

function acceptsSummary(range: string): boolean {
  const type = (range.split(";")[0] ?? "").trim().toLowerCase();
  return type === SUMMARY_TYPE || type === "application/*" || type === "*/*";
}

/** The mailbox a SUBSCRIBE names: the Request-URI's user, else the To URI's (RFC 3842 §4). */
export function mailboxUser(req: SipRequest): string | undefined {
  const fromUri = parseUri(req.uri);
  if (fromUri?.user) return fromUri.user;
  const to = parseNameAddr(req.headers.get("to") ?? "");
  const toUri = to ? parseUri(to.uri) : null;
  return toUri?.user || undefined;
}
