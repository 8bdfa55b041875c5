// Registrar behaviour of RFC 3261 §10.3 over an in-memory binding table: authorization of the
// AOR, expiry limits, Call-ID/CSeq ordering, all-or-nothing commit and the 200 contact list.

import type { SipRefusal } from "../errors.ts";
import type { SipRequest } from "../message/index.ts";
import {
  type Binding,
  type BindingListener,
  BindingTable,
  type SourceAddress,
} from "./bindings.ts";
import { canonicalAor, parseRegister, type RegisterLimits } from "./request.ts";

export interface RegistrarOptions {
  /** Who owns an address-of-record (`sip:user@domain`); undefined when nobody does. */
  aorOwner: (aor: string) => string | undefined;
  now?: () => number;
  /** Refuses a REGISTER that would leave more bindings than this on one AOR; default 10. */
  maxBindingsPerAor?: number;
}

export interface RegisterOptions extends RegisterLimits {
  /** Where the request came from (top Via's received/rport as the transport saw it). */
  source?: SourceAddress;
}

/**
 * The final answer to a REGISTER: 200 with the bindings in Contact, or the refusal. `headers` go
 * on the response built from the request (e.g. with buildResponse).
 */
export type RegisterResult =
  | { status: 200; reason: "OK"; headers: Array<[string, string]> }
  | Required<SipRefusal>;

export class Registrar {
  readonly #table = new BindingTable();
  readonly #aorOwner: (aor: string) => string | undefined;
  readonly #now: () => number;
  readonly #maxBindings: number;

  constructor(options: RegistrarOptions) {
    this.#aorOwner = options.aorOwner;
    this.#now = options.now ?? Date.now;
    this.#maxBindings = options.maxBindingsPerAor ?? 10;
  }

  /** `authedUser` is the user id the digest verifier accepted for this request (§10.3 step 3). */
  handleRegister(req: SipRequest, authedUser: string, options: RegisterOptions): RegisterResult {
    if (req.method !== "REGISTER") {
      return { status: 405, reason: "Method Not Allowed", headers: [["Allow", "REGISTER"]] };
    }
    const plan = parseRegister(req, options);
    if (!plan.ok) return { status: plan.status, reason: plan.reason, headers: plan.headers ?? [] };
    const owner = this.#aorOwner(plan.aor);
    if (owner === undefined) return { status: 404, reason: "Not Found", headers: [] };
    // §10.3 step 4: a user may only change the bindings of AORs that are theirs.
    if (owner !== authedUser) return { status: 403, reason: "Forbidden", headers: [] };

    const now = this.#now();
    const current = this.#table.active(plan.aor, now);
    const byKey = new Map(current.map((b) => [b.key, b]));
    // §10.3 step 7: a request on the same Call-ID must be newer than what set the binding.
    const outOfOrder = (b: Binding | undefined) =>
      b !== undefined && b.callId === plan.callId && plan.cseq <= b.cseq;

    const upserts: Binding[] = [];
    const removals: string[] = [];
    if (plan.wildcard) {
      if (current.some(outOfOrder)) return outOfOrderResult();
      for (const b of current) removals.push(b.key);
    } else {
      for (const c of plan.contacts) {
        const existing = byKey.get(c.key);
        if (outOfOrder(existing)) return outOfOrderResult();
        if (c.expires === 0) {
          if (existing !== undefined) removals.push(c.key);
          continue;
        }
        const binding: Binding = {
          aor: plan.aor,
          userId: owner,
          contact: c.uri,
          key: c.key,
          expiresAt: now + c.expires * 1000,
          callId: plan.callId,
          cseq: plan.cseq,
          registeredAt: existing?.registeredAt ?? now,
          ...(c.q !== undefined ? { q: c.q } : {}),
          ...(c.instance !== undefined ? { instance: c.instance } : {}),
          ...(options.source !== undefined ? { source: { ...options.source } } : {}),
          ...(plan.path.length > 0 ? { path: plan.path } : {}),
        };
        upserts.push(binding);
      }
    }
    const kept = current.filter(
      (b) => !removals.includes(b.key) && !upserts.some((u) => u.key === b.key),
    );
    if (kept.length + upserts.length > this.#maxBindings) {
      return { status: 403, reason: "Too Many Registrations", headers: [] };
    }
    this.#table.commit(plan.aor, upserts, removals, now);
    const headers = this.#contactHeaders(plan.aor, now);
    // RFC 3327 §5.3: the Path stored goes back to a UA that understands it, in the same order.
    if (plan.path.length > 0 && plan.pathSupported)
      headers.push(...plan.path.map((p): [string, string] => ["Path", p]));
    headers.push(["Supported", "path"]);
    return { status: 200, reason: "OK", headers };
  }

  /** Active bindings of an AOR (any spelling that canonicalises to it). */
  bindings(aor: string): Binding[] {
    const canonical = canonicalAor(aor) ?? aor;
    return this.#table.active(canonical, this.#now());
  }

  /** Every AOR with a stored binding (some may have lapsed until the next sweep). */
  aors(): string[] {
    return this.#table.aors();
  }

  /** Fired after each commit and sweep; returns an unsubscribe function. */
  onChange(listener: BindingListener): () => void {
    return this.#table.onChange(listener);
  }

  /** Drops lapsed bindings and emits "expired" for each; call it from a timer. */
  sweep(now: number = this.#now()): Binding[] {
    return this.#table.sweep(now);
  }

  #contactHeaders(aor: string, now: number): Array<[string, string]> {
    const headers: Array<[string, string]> = this.#table.active(aor, now).map((b) => {
      let value = `<${b.contact}>;expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`;
      if (b.q !== undefined) value += `;q=${b.q}`;
      if (b.instance !== undefined) value += `;+sip.instance="${b.instance.replace(/["\\]/g, "")}"`;
      return ["Contact", value];
    });
    // §10.3 step 8 suggests Date so simple phones can set their clocks.
    headers.push(["Date", new Date(now).toUTCString()]);
    return headers;
  }
}

function outOfOrderResult(): RegisterResult {
  return { status: 400, reason: "CSeq Out of Order", headers: [] };
}
