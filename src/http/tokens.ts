// Session tokens: `<userId>.<sessionId>.<expiryMs>.<mac>` where mac = base64url(HMAC-SHA256) over
// the first three parts and a binding (the user's password hash), keyed by HKDF-SHA256 (RFC 5869)
// from the server secret (app/server-secret.ts), never from the admin token. The MAC proves the
// token is ours; the session row (store sessions) says it has not been revoked. Changing the
// password ends that user's sessions, replacing the server secret ends all.

import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
// Profile ids allow dots, so a token is parsed from the right.
import { USER_ID } from "./schemas/profile.ts";

/** 16 random bytes, base64url. */
export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
const EXPIRY = /^[0-9]{1,15}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

export class SessionTokens {
  readonly #key: Buffer;
  readonly #adminDigest: Buffer;

  constructor(
    serverSecret: string,
    adminToken: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = deriveKey(serverSecret, "omnivox session token v2");
    this.#adminDigest = digest(adminToken);
  }

  /** `binding` is never in the token; the token verifies only while the same binding is given. */
  issue(userId: string, binding = ""): IssuedToken {
    if (!USER_ID.test(userId)) throw new RangeError("session token: invalid user id");
    const sessionId = randomBytes(16).toString("base64url");
    const expiry = this.now() + this.ttlMs;
    const payload = `${userId}.${sessionId}.${expiry}`;
    return {
      token: `${payload}.${this.#mac(`${payload}.${binding}`)}`,
      sessionId,
      expiresAt: new Date(expiry),
    };
  }

  /** What a well-formed token claims, not yet verified (to look up its binding). */
  claims(token: string): TokenClaims | undefined {
    const parts = split(token);
    return parts ? { userId: parts.userId, sessionId: parts.sessionId } : undefined;
  }

  /** The claims of a token, or undefined when it is malformed, forged, expired or unbound. */
  verify(token: string, binding = ""): TokenClaims | undefined {
    const parts = split(token);
    if (!parts) return undefined;
    const { userId, sessionId, expiry, mac } = parts;
    // Compared as text, not decoded: base64url's last character has spare bits, so decoding
    // would let several spellings of one MAC through.
    const expected = Buffer.from(
      this.#mac(`${userId}.${sessionId}.${expiry}.${binding}`),
      "latin1",
    );
    const given = Buffer.from(mac, "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(expiry) <= this.now()) return undefined;
    return { userId, sessionId };
  }

  /** Constant-time in the token's content: both sides are hashed to equal length first. */
  isAdmin(token: string): boolean {
    return timingSafeEqual(digest(token), this.#adminDigest);
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }
}

function split(
  token: string,
): { userId: string; sessionId: string; expiry: string; mac: string } | undefined {
  const macDot = token.lastIndexOf(".");
  const expiryDot = token.lastIndexOf(".", macDot - 1);
  const sidDot = token.lastIndexOf(".", expiryDot - 1);
  if (macDot < 0 || expiryDot < 0 || sidDot < 0) return undefined;
  const userId = token.slice(0, sidDot);
  const sessionId = token.slice(sidDot + 1, expiryDot);
  const expiry = token.slice(expiryDot + 1, macDot);
  const mac = token.slice(macDot + 1);
  if (!USER_ID.test(userId) || !SESSION_ID.test(sessionId)) return undefined;
  if (!EXPIRY.test(expiry) || !MAC.test(mac)) return undefined;
  return { userId, sessionId, expiry, mac };
}

/**
 * A 32-byte key for one purpose, derived from the server secret by HKDF-SHA256 (RFC 5869): each
 * purpose has its own `label` (the HKDF info), so a MAC made for one can never pass for another.
 */
export function deriveKey(serverSecret: string, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverSecret, "omnivox", label, 32));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
