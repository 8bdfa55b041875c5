// Reads a REGISTER into what the registrar must do (RFC 3261 §10.3 steps 5–6): the canonical
// address-of-record, and each Contact with its granted expiry, or the error response to send.

import type { SipRefusal } from "../errors.ts";
import {
  isValidCallId,
  parseCSeq,
  parseNameAddr,
  parseUri,
  type SipRequest,
  splitList,
} from "../message/index.ts";

export interface RegisterLimits {
  /** The domain this registrar is responsible for; To must name an AOR in it. */
  domain: string;
  /** Shorter non-zero requests get 423 (§10.3 step 6). Default 60 s. */
  minExpires?: number;
  /** Longer requests are shortened to this. Default 3600 s. */
  maxExpires?: number;
  /** Used when neither the contact nor the request says. Default 3600 s. */
  defaultExpires?: number;
}

export interface ContactUpdate {
  /** The URI as written inside the Contact header. */
  uri: string;
  /** Comparison key (§19.1.4, simplified): see {@link contactKey}. */
  key: string;
  /** Granted seconds; 0 removes the binding. */
  expires: number;
  q?: string;
  /** RFC 5626 +sip.instance, kept so a phone's bindings can be told apart later. */
  instance?: string;
}

export type RegisterPlan =
  | {
      ok: true;
      aor: string;
      callId: string;
      cseq: number;
      /** Contact: * with Expires: 0 — remove every binding of the AOR. */
      wildcard: boolean;
      /** Empty for a query (no Contact at all). */
      contacts: ContactUpdate[];
      /** Path values in order (RFC 3327 §5.3), each a name-addr; empty without Path. */
      path: string[];
      /** The UA listed `path` in Supported: it may be told the Path we stored. */
      pathSupported: boolean;
    }
  | ({ ok: false } & SipRefusal);

/** RFC 3261 §10.2.1.1: expiry values above 2**32-1 are to be read as 2**32-1. */
const MAX_DELTA = 2 ** 32 - 1;

/** `sip:user@host` with the host lower-cased, params, port and password dropped (§10.3 step 5). */
export function canonicalAor(uri: string): string | null {
  const parsed = parseUri(uri);
  if (parsed === null || parsed.scheme === "tel" || parsed.user === undefined) return null;
  return `sip:${parsed.user}@${parsed.host.toLowerCase()}`;
}

/**
 * Equality key for Contact URIs. §19.1.4 compares user case-sensitively, host case-insensitively
 * and parameters by name; this keeps every URI parameter (sorted, lower-cased), which is stricter
 * than the RFC for parameters present on one side only. Non-SIP URIs compare lower-cased whole.
 */
export function contactKey(uri: string): string {
  const parsed = parseUri(uri);
  if (parsed === null || parsed.scheme === "tel") return uri.toLowerCase();
  const params = [...parsed.params]
    .map(([k, v]) => (v === null ? k : `${k}=${v.toLowerCase()}`))
    .sort()
    .join(";");
  return `${parsed.scheme}:${parsed.user ?? ""}@${parsed.host.toLowerCase()}:${parsed.port ?? ""};${params}`;
}

function parseDelta(value: string): number | null {
  const v = value.trim();
  if (!/^[0-9]+$/.test(v)) return null;
  return v.length > 10 ? MAX_DELTA : Math.min(Number(v), MAX_DELTA);
}

const fail = (status: number, reason: string): RegisterPlan => ({ ok: false, status, reason });

export function parseRegister(req: SipRequest, limits: RegisterLimits): RegisterPlan {
  const minExpires = limits.minExpires ?? 60;
  const maxExpires = limits.maxExpires ?? 3600;
  const defaultExpires = limits.defaultExpires ?? 3600;

  const toValue = req.headers.get("to");
  const to = toValue === undefined ? null : parseNameAddr(toValue);
  if (to === null) return fail(400, "Bad To Header");
  const aor = canonicalAor(to.uri);
  // §10.3 step 5: an AOR outside our domain, or with no user part, is not one we hold.
  if (aor === null || !aor.endsWith(`@${limits.domain.toLowerCase()}`)) {
    return fail(404, "Not Found");
  }
  const callId = req.headers.get("call-id")?.trim();
  if (callId === undefined || !isValidCallId(callId)) return fail(400, "Bad Call-ID");
  const cseqValue = req.headers.get("cseq");
  const cseq = cseqValue === undefined ? null : parseCSeq(cseqValue);
  if (cseq === null || cseq.method !== req.method) return fail(400, "Bad CSeq");

  const path = req.headers
    .getAll("path")
    .flatMap((v) => splitList(v))
    .map((v) => v.trim());
  // A Path we cannot route through would leave the phone unreachable: refuse it now.
  if (path.some((p) => parseNameAddr(p) === null)) return fail(400, "Bad Path");
  const pathSupported = req.headers
    .getAll("supported")
    .flatMap((v) => splitList(v))
    .some((t) => t.trim().toLowerCase() === "path");
  const pathInfo = { path, pathSupported };

  let headerExpires: number | undefined;
  const expiresValue = req.headers.get("expires");
  if (expiresValue !== undefined) {
    const parsed = parseDelta(expiresValue);
    if (parsed === null) return fail(400, "Bad Expires");
    headerExpires = parsed;
  }

  const values = req.headers.getAll("contact").flatMap((v) => splitList(v));
  if (values.some((v) => v.trim() === "*")) {
    // §10.3 step 6: "*" is only meaningful alone and with Expires: 0.
    if (values.length !== 1 || headerExpires !== 0) return fail(400, "Invalid Wildcard Contact");
    return { ok: true, aor, callId, cseq: cseq.seq, wildcard: true, contacts: [], ...pathInfo };
  }

  const byKey = new Map<string, ContactUpdate>();
  for (const value of values) {
    const contact = parseNameAddr(value);
    if (contact === null) return fail(400, "Bad Contact");
    let expires = headerExpires ?? defaultExpires;
    const param = contact.params.get("expires");
    if (param !== undefined) {
      const parsed = param === null ? null : parseDelta(param);
      if (parsed === null) return fail(400, "Bad Contact Expires");
      expires = parsed;
    }
    if (expires > 0 && expires < minExpires) {
      return {
        ok: false,
        status: 423,
        reason: "Interval Too Brief",
        headers: [["Min-Expires", String(minExpires)]],
      };
    }
    const update: ContactUpdate = {
      uri: contact.uri,
      key: contactKey(contact.uri),
      expires: Math.min(expires, maxExpires),
    };
    const q = contact.params.get("q");
    if (q !== undefined && q !== null) {
      if (!/^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(q)) return fail(400, "Bad Contact q");
      update.q = q;
    }
    const instance = contact.params.get("+sip.instance");
    if (instance !== undefined && instance !== null) update.instance = instance;
    byKey.set(update.key, update); // a URI listed twice: the last one wins
  }
  const contacts = [...byKey.values()];
  return { ok: true, aor, callId, cseq: cseq.seq, wildcard: false, contacts, ...pathInfo };
}
