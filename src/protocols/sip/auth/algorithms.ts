// The Digest computation (RFC 7616 §3.4.1–3.4.3, RFC 2069 when qop is absent) for the algorithms
// SIP may use (RFC 8760 §2): MD5, SHA-256 and their -sess variants. Pure functions, no I/O.

import { createHash } from "node:crypto";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

interface AlgorithmInfo {
  /** node:crypto hash name. */
  hash: "md5" | "sha256";
  sess: boolean;
  /** Hex digits of one digest. */
  hexLength: number;
  /** Higher is preferred when several are offered (RFC 8760 §2.4: strongest first). */
  strength: number;
}

const ALGORITHMS: Readonly<Record<DigestAlgorithm, AlgorithmInfo>> = {
  "SHA-256": { hash: "sha256", sess: false, hexLength: 64, strength: 4 },
  "SHA-256-sess": { hash: "sha256", sess: true, hexLength: 64, strength: 3 },
  MD5: { hash: "md5", sess: false, hexLength: 32, strength: 2 },
  "MD5-sess": { hash: "md5", sess: true, hexLength: 32, strength: 1 },
};

/** The canonical spelling of an `algorithm` parameter (matched case-insensitively), or null. */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | null {
  // RFC 7616 §3.3: an absent algorithm parameter means MD5.
  if (value === undefined) return "MD5";
  const lower = value.toLowerCase();
  for (const name of Object.keys(ALGORITHMS) as DigestAlgorithm[]) {
    if (name.toLowerCase() === lower) return name;
  }
  return null;
}

export function algorithmInfo(algorithm: DigestAlgorithm): Readonly<AlgorithmInfo> {
  return ALGORITHMS[algorithm];
}

/** Which stored HA1 (see {@link ha1For}) an algorithm needs: the -sess variants share it. */
export function baseHash(algorithm: DigestAlgorithm): "md5" | "sha256" {
  return ALGORITHMS[algorithm].hash;
}

export function hexHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(ALGORITHMS[algorithm].hash).update(data, "utf8").digest("hex");
}

/** H(username ":" realm ":" password): what a user store may keep instead of the password. */
export function ha1For(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hexHash(algorithm, `${username}:${realm}:${password}`);
}

export interface ResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password) for the algorithm's hash; the -sess step is applied here. */
  ha1: string;
  method: string;
  /** The digest-uri as sent in the credentials. */
  uri: string;
  nonce: string;
  /** Absent for the RFC 2069 form; otherwise "auth" (auth-int is not supported). */
  qop?: "auth";
  /** Required with qop and with the -sess algorithms. */
  cnonce?: string;
  /** Eight hex digits, required with qop. */
  nc?: string;
}

/** The request-digest of RFC 7616 §3.4.1, lower-case hex; null when a needed input is missing. */
export function computeResponse(input: ResponseInput): string | null {
  const { algorithm, method, uri, nonce, qop, cnonce, nc } = input;
  let ha1 = input.ha1;
  if (ALGORITHMS[algorithm].sess) {
    // RFC 7616 §3.4.2: the session key binds the client nonce into HA1.
    if (cnonce === undefined) return null;
    ha1 = hexHash(algorithm, `${ha1}:${nonce}:${cnonce}`);
  }
  const ha2 = hexHash(algorithm, `${method}:${uri}`);
  if (qop === undefined) return hexHash(algorithm, `${ha1}:${nonce}:${ha2}`);
  if (cnonce === undefined || nc === undefined) return null;
  return hexHash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}
