// Typed views of Digest challenge and credentials header values (RFC 3261 §25.1 "challenge" and
// "credentials", RFC 7616 §3.3–3.4) and the quoting used to write them back out.

import { parseAuthParams } from "../message/index.ts";
import { type DigestAlgorithm, parseAlgorithm } from "./algorithms.ts";

/** Longer Authorization values are refused unread: real ones stay well under 1 KiB. */
export const MAX_AUTH_HEADER_CHARS = 4096;

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  /** Lower-cased hex, as written. */
  response: string;
  /** The algorithm parameter as written, or undefined (which means MD5). */
  algorithm?: string;
  qop?: string;
  cnonce?: string;
  nc?: string;
  opaque?: string;
}

export interface DigestChallengeFields {
  realm: string;
  nonce: string;
  /** Null when the challenge names an algorithm we do not implement. */
  algorithm: DigestAlgorithm | null;
  /** qop options offered, lower-cased; empty for an RFC 2069 challenge. */
  qop: string[];
  opaque?: string;
  stale: boolean;
}

const NC = /^[0-9a-fA-F]{8}$/;

/** Null for anything that is not well-formed Digest credentials with every required field. */
export function parseDigestCredentials(value: string): DigestCredentials | null {
  if (value.length > MAX_AUTH_HEADER_CHARS) return null;
  const parsed = parseAuthParams(value);
  if (parsed === null || parsed.scheme.toLowerCase() !== "digest") return null;
  const p = parsed.params;
  const username = p.get("username");
  const realm = p.get("realm");
  const nonce = p.get("nonce");
  const uri = p.get("uri");
  const response = p.get("response");
  if (username === undefined || realm === undefined || nonce === undefined) return null;
  if (uri === undefined || uri === "" || response === undefined) return null;
  if (!/^[0-9a-fA-F]+$/.test(response)) return null;
  const creds: DigestCredentials = {
    username,
    realm,
    nonce,
    uri,
    response: response.toLowerCase(),
  };
  const algorithm = p.get("algorithm");
  if (algorithm !== undefined) creds.algorithm = algorithm;
  const qop = p.get("qop");
  const cnonce = p.get("cnonce");
  const nc = p.get("nc");
  if (qop !== undefined) {
    // RFC 7616 §3.4: with qop, cnonce and nc are mandatory.
    if (cnonce === undefined || cnonce === "" || nc === undefined || !NC.test(nc)) return null;
    creds.qop = qop.toLowerCase();
    creds.cnonce = cnonce;
    creds.nc = nc.toLowerCase();
  } else if (cnonce !== undefined) {
    creds.cnonce = cnonce; // the -sess algorithms use it even without qop
  }
  const opaque = p.get("opaque");
  if (opaque !== undefined) creds.opaque = opaque;
  return creds;
}

/** Null when the value is not a Digest challenge with realm and nonce. */
export function parseDigestChallenge(value: string): DigestChallengeFields | null {
  if (value.length > MAX_AUTH_HEADER_CHARS) return null;
  const parsed = parseAuthParams(value);
  if (parsed === null || parsed.scheme.toLowerCase() !== "digest") return null;
  const p = parsed.params;
  const realm = p.get("realm");
  const nonce = p.get("nonce");
  if (realm === undefined || nonce === undefined || nonce === "") return null;
  const qopValue = p.get("qop");
  const challenge: DigestChallengeFields = {
    realm,
    nonce,
    algorithm: parseAlgorithm(p.get("algorithm")),
    qop:
      qopValue === undefined
        ? []
        : qopValue
            .split(",")
            .map((q) => q.trim().toLowerCase())
            .filter((q) => q !== ""),
    stale: p.get("stale")?.toLowerCase() === "true",
  };
  const opaque = p.get("opaque");
  if (opaque !== undefined) challenge.opaque = opaque;
  return challenge;
}

/**
 * A quoted-string (RFC 3261 §25.1) holding `s`, with `"` and `\` escaped. Control characters
 * cannot be escaped there and would let a value break out of its header line, so they are dropped.
 */
export function quote(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${clean.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Writes `Digest a="x", b=y` with quoting chosen per parameter. */
export function formatDigest(params: Array<[string, string, "quoted" | "token"]>): string {
  return `Digest ${params.map(([k, v, how]) => `${k}=${how === "quoted" ? quote(v) : v}`).join(", ")}`;
}
