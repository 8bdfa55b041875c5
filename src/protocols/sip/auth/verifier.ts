// Checks Digest credentials on a request (RFC 3261 §22.4, RFC 7616 §3.4–3.5, RFC 8760 §2): the
// nonce must be ours and fresh, the digest-uri equal the Request-URI, and the response correct.

import { timingSafeEqual } from "node:crypto";
import {
  algorithmInfo,
  baseHash,
  computeResponse,
  type DigestAlgorithm,
  ha1For,
  parseAlgorithm,
} from "./algorithms.ts";
import { type DigestCredentials, parseDigestCredentials } from "./fields.ts";
import type { NonceSource } from "./nonce.ts";
import { NonceCountTracker } from "./replay.ts";

/** What the user store knows: the password, or precomputed H(username:realm:password) per hash. */
export type CredentialRecord = { password: string } | { ha1: { md5?: string; sha256?: string } };

export type CredentialLookup = (
  username: string,
  realm: string,
) => Promise<CredentialRecord | undefined>;

export interface VerifyRequest {
  method: string;
  /** The Request-URI exactly as received; the digest `uri` must equal it character for character. */
  uri: string;
  /** Authorization (or Proxy-Authorization) values; with several, the one for `realm` is used. */
  authorizationHeaderValue: string | readonly string[] | undefined;
  /** The realm we challenge with; credentials for another realm fail with "realm". */
  realm?: string;
}

export type VerifyFailureReason =
  | "missing"
  | "malformed"
  | "unknown-user"
  | "bad-response"
  | "stale"
  | "realm"
  | "uri-mismatch"
  | "algorithm"
  | "qop";

export type VerifyResult =
  | { ok: true; username: string; realm: string; algorithm: DigestAlgorithm }
  | { ok: false; reason: VerifyFailureReason; stale?: boolean };

export interface VerifierOptions {
  /** Algorithms accepted in credentials; default all four (MD5, SHA-256 and the -sess forms). */
  algorithms?: readonly DigestAlgorithm[];
  /**
   * Accept RFC 2069 credentials without qop (old phones); default false: our challenges always
   * offer qop=auth, and without it nothing (no nc, no cnonce) stops a captured request's replay.
   */
  allowNoQop?: boolean;
  /** Refuse a nonce-count seen before for the same nonce (per process); default true. */
  replayProtection?: boolean;
  now?: () => number;
}

const ALL: readonly DigestAlgorithm[] = ["SHA-256", "SHA-256-sess", "MD5", "MD5-sess"];

export class DigestVerifier {
  readonly #nonces: NonceSource;
  readonly #algorithms: ReadonlySet<DigestAlgorithm>;
  readonly #allowNoQop: boolean;
  readonly #replay: NonceCountTracker | undefined;
  readonly #now: () => number;

  constructor(nonces: NonceSource, options: VerifierOptions = {}) {
    this.#nonces = nonces;
    this.#algorithms = new Set(options.algorithms ?? ALL);
    this.#allowNoQop = options.allowNoQop ?? false;
    this.#replay = options.replayProtection === false ? undefined : new NonceCountTracker();
    this.#now = options.now ?? Date.now;
  }

  /** Rejects only when `lookup` rejects (a store failure, not bad input). */
  async verify(request: VerifyRequest, lookup: CredentialLookup): Promise<VerifyResult> {
    const value = pickValue(request.authorizationHeaderValue, request.realm);
    if (value === undefined || value.trim() === "") return { ok: false, reason: "missing" };
    const creds = parseDigestCredentials(value);
    if (creds === null) return { ok: false, reason: "malformed" };
    if (request.realm !== undefined && creds.realm !== request.realm) {
      return { ok: false, reason: "realm" };
    }
    const algorithm = parseAlgorithm(creds.algorithm);
    if (algorithm === null || !this.#algorithms.has(algorithm)) {
      return { ok: false, reason: "algorithm" };
    }
    if (creds.qop === undefined && !this.#allowNoQop) return { ok: false, reason: "qop" };
    if (!this.#wellFormedFor(creds, algorithm)) return { ok: false, reason: "malformed" };
    // RFC 3261 §22.4 leaves the comparison to the server; we compare as strings, so a client that
    // rewrites the Request-URI (case, escaping, parameter order) fails here rather than passing.
    if (creds.uri !== request.uri) return { ok: false, reason: "uri-mismatch" };

    // Check the nonce before touching the user store: forged nonces cost one HMAC, no lookup.
    const freshness = this.#nonces.check(creds.nonce, creds.realm);
    if (freshness === "invalid") return { ok: false, reason: "bad-response" };

    const record = await lookup(creds.username, creds.realm);
    if (record === undefined) return { ok: false, reason: "unknown-user" };
    const ha1 = storedHa1(record, algorithm, creds);
    if (ha1 === undefined) return { ok: false, reason: "algorithm" };
    const expected = computeResponse({
      algorithm,
      ha1,
      method: request.method,
      uri: creds.uri,
      nonce: creds.nonce,
      qop: creds.qop === "auth" ? "auth" : undefined,
      cnonce: creds.cnonce,
      nc: creds.nc,
    });
    if (expected === null || !equalHex(expected, creds.response)) {
      return { ok: false, reason: "bad-response" };
    }
    // Correct credentials on an expired nonce: the client knows the password and may retry at once.
    if (freshness === "stale") return { ok: false, reason: "stale", stale: true };
    if (this.#replay !== undefined && creds.nc !== undefined) {
      const expiresAt = this.#nonces.expiresAt(creds.nonce) ?? this.#now();
      if (!this.#replay.use(creds.nonce, Number.parseInt(creds.nc, 16), expiresAt, this.#now())) {
        // A repeated count: answered as stale so an honest client simply takes a new nonce.
        return { ok: false, reason: "stale", stale: true };
      }
    }
    return { ok: true, username: creds.username, realm: creds.realm, algorithm };
  }

  #wellFormedFor(creds: DigestCredentials, algorithm: DigestAlgorithm): boolean {
    const info = algorithmInfo(algorithm);
    if (creds.response.length !== info.hexLength) return false;
    if (creds.qop === undefined) {
      if (!this.#allowNoQop) return false;
    } else if (creds.qop !== "auth") {
      return false; // auth-int is not offered, so never legitimately answered
    }
    return !info.sess || creds.cnonce !== undefined;
  }
}

/** The username the credentials for `realm` (else the first) claim, unverified; for throttling. */
export function claimedUsername(
  value: string | readonly string[] | undefined,
  realm: string | undefined,
): string | undefined {
  const picked = pickValue(value, realm);
  return picked === undefined ? undefined : (parseDigestCredentials(picked)?.username ?? undefined);
}

function pickValue(
  value: string | readonly string[] | undefined,
  realm: string | undefined,
): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (realm !== undefined) {
    const forRealm = value.find((v) => parseDigestCredentials(v)?.realm === realm);
    if (forRealm !== undefined) return forRealm;
  }
  return value[0];
}

function storedHa1(
  record: CredentialRecord,
  algorithm: DigestAlgorithm,
  creds: DigestCredentials,
): string | undefined {
  if ("password" in record) return ha1For(algorithm, creds.username, creds.realm, record.password);
  const ha1 = baseHash(algorithm) === "md5" ? record.ha1.md5 : record.ha1.sha256;
  return ha1?.toLowerCase();
}

/** Both arguments are lower-case hex; lengths are public (fixed by the algorithm). */
function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "latin1");
  const y = Buffer.from(b, "latin1");
  return x.length === y.length && timingSafeEqual(x, y);
}
