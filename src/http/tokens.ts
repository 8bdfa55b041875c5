// Stateless session tokens: `<userId>.<expiryMs>.<mac>` where mac = base64url(HMAC-SHA256) over the
// first two parts and a binding (the user's password hash), keyed by HKDF-SHA256 (RFC 5869) from
// the admin token. Rotating the admin token ends every session, changing a password ends that
// user's; nothing is stored server-side.

import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** The same rule as profile ids (schemas/profile.ts); dots are allowed, so parse from the right. */
const USER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EXPIRY = /^[0-9]{1,15}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export class SessionTokens {
  readonly #key: Buffer;
  readonly #adminDigest: Buffer;

  constructor(
    adminToken: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = deriveKey(adminToken, "omnivox session token v1");
    this.#adminDigest = digest(adminToken);
  }

  /** `binding` is never in the token; the token verifies only while the same binding is given. */
  issue(userId: string, binding = ""): IssuedToken {
    if (!USER_ID.test(userId)) throw new RangeError("session token: invalid user id");
    const expiry = this.now() + this.ttlMs;
    const payload = `${userId}.${expiry}`;
    return {
      token: `${payload}.${this.#mac(`${payload}.${binding}`)}`,
      expiresAt: new Date(expiry),
    };
  }

  /** The user id a well-formed token claims, not yet verified (to look up its binding). */
  claimedUser(token: string): string | undefined {
    const midDot = token.lastIndexOf(".", token.lastIndexOf(".") - 1);
    const userId = midDot < 0 ? "" : token.slice(0, midDot);
    return USER_ID.test(userId) ? userId : undefined;
  }

  /** The user a token names, or undefined when it is malformed, forged, expired or unbound. */
  verifyUser(token: string, binding = ""): string | undefined {
    const lastDot = token.lastIndexOf(".");
    const midDot = token.lastIndexOf(".", lastDot - 1);
    if (lastDot < 0 || midDot < 0) return undefined;
    const userId = token.slice(0, midDot);
    const expiry = token.slice(midDot + 1, lastDot);
    const mac = token.slice(lastDot + 1);
    if (!USER_ID.test(userId) || !EXPIRY.test(expiry) || !MAC.test(mac)) return undefined;
    // Compared as text, not decoded: base64url's last character has spare bits, so decoding
    // would let several spellings of one MAC through.
    const expected = Buffer.from(this.#mac(`${userId}.${expiry}.${binding}`), "latin1");
    const given = Buffer.from(mac, "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(expiry) <= this.now()) return undefined;
    return userId;
  }

  /** Constant-time in the token's content: both sides are hashed to equal length first. */
  isAdmin(token: string): boolean {
    return timingSafeEqual(digest(token), this.#adminDigest);
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }
}

/**
 * A 32-byte key for one purpose, derived from the admin token by HKDF-SHA256 (RFC 5869): each
 * purpose has its own `label` (the HKDF info), so a MAC made for one can never pass for another.
 */
export function deriveKey(adminToken: string, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", adminToken, "omnivox", label, 32));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
