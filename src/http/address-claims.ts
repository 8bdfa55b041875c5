// Self-service address claims with proof (docs/security.md "Addresses and ownership"): a user
// asks for an email or JID, omnivox sends a one-time code to that address, and only whoever
// reads it there can confirm the claim. Pending claims live in memory (they are short-lived and
// a restart only means asking again), bounded per user and in total; wrong codes are throttled.

import { randomInt, timingSafeEqual } from "node:crypto";
import { Throttle } from "../core/throttle.ts";

export type ClaimedAddress = { kind: "email"; email: string } | { kind: "jid"; jid: string };

interface PendingClaim {
  address: ClaimedAddress;
  code: string;
  expiresAt: number;
}

/** No 0/O, 1/I/L: read off a phone screen and typed again without mistakes. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/** 31^10 ≈ 8·10^14 codes; with 5 wrong tries per ban, guessing is hopeless. */
const CODE_LENGTH = 10;
export const CLAIM_CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);
const MAX_PER_USER = 5;
const MAX_USERS = 10_000;
/** Codes a user may have sent per hour; each is a message to someone else. */
const MAX_SENDS_PER_HOUR = 5;

export class AddressClaims {
  readonly #pending = new Map<string, PendingClaim[]>();
  readonly #wrongCodes: Throttle;
  readonly #sends: Throttle;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#wrongCodes = new Throttle(
      {
        maxFailures: 5,
        windowMs: 15 * 60_000,
        banMs: 15 * 60_000,
        banFactor: 2,
        maxBanMs: 24 * 3600_000,
        forgetMs: 24 * 3600_000,
        maxKeys: MAX_USERS,
      },
      now,
    );
    this.#sends = new Throttle(
      {
        maxFailures: MAX_SENDS_PER_HOUR,
        windowMs: 3600_000,
        banMs: 3600_000,
        banFactor: 2,
        maxBanMs: 24 * 3600_000,
        forgetMs: 24 * 3600_000,
        maxKeys: MAX_USERS,
      },
      now,
    );
  }

  /** Counts one code sent for the user; refused past MAX_SENDS_PER_HOUR (then banned longer). */
  countSend(userId: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const gate = this.#sends.check(userId);
    if (!gate.allowed) return gate;
    this.#sends.fail(userId);
    return { allowed: true };
  }

  /** A new code for `address`; the oldest pending claim of the user goes when they hold too many. */
  start(userId: string, address: ClaimedAddress): { code: string; expiresAt: Date } {
    const now = this.now();
    const live = (this.#pending.get(userId) ?? []).filter(
      (c) => c.expiresAt > now && !sameAddress(c.address, address),
    );
    let code = "";
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const claim: PendingClaim = { address, code, expiresAt: now + this.ttlMs };
    live.push(claim);
    this.#pending.delete(userId);
    this.#pending.set(userId, live.slice(-MAX_PER_USER));
    if (this.#pending.size > MAX_USERS) {
      const oldest = this.#pending.keys().next();
      if (!oldest.done) this.#pending.delete(oldest.value);
    }
    return { code, expiresAt: new Date(claim.expiresAt) };
  }

  /**
   * The address whose code this is, consumed; "unknown" for a wrong or expired code, "throttled"
   * (with the wait) after too many wrong ones — the user's pending claims are then dropped.
   */
  confirm(
    userId: string,
    code: string,
  ):
    | { ok: true; address: ClaimedAddress }
    | { ok: false; reason: "unknown" }
    | { ok: false; reason: "throttled"; retryAfterMs: number } {
    const gate = this.#wrongCodes.check(userId);
    if (!gate.allowed) return { ok: false, reason: "throttled", retryAfterMs: gate.retryAfterMs };
    const now = this.now();
    const claims = (this.#pending.get(userId) ?? []).filter((c) => c.expiresAt > now);
    const given = Buffer.from(code.toUpperCase(), "latin1");
    const match = claims.find((c) => {
      const expected = Buffer.from(c.code, "latin1");
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!match) {
      const verdict = this.#wrongCodes.fail(userId);
      if (!verdict.allowed) {
        this.#pending.delete(userId);
        return { ok: false, reason: "throttled", retryAfterMs: verdict.retryAfterMs };
      }
      return { ok: false, reason: "unknown" };
    }
    this.#wrongCodes.succeed(userId);
    const rest = claims.filter((c) => c !== match);
    if (rest.length > 0) this.#pending.set(userId, rest);
    else this.#pending.delete(userId);
    return { ok: true, address: match.address };
  }
}

function sameAddress(a: ClaimedAddress, b: ClaimedAddress): boolean {
  if (a.kind === "email" && b.kind === "email") return a.email === b.email;
  if (a.kind === "jid" && b.kind === "jid") return a.jid === b.jid;
  return false;
}
