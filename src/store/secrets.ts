// Password and PIN hashing with scrypt (RFC 7914) from node:crypto. The stored string carries
// its own parameters and salt — `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` — so they can be
// raised later without invalidating existing hashes. SIP digest HA1 values (RFC 7616 §3.4.2)
// are made here too, since only the moment a password is set can produce them.

import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import type { SipDigestSecrets, UsersRepo } from "./types.ts";

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse absurd parameters from a tampered hash rather than spend seconds or gigabytes on it. */
const MAX_N = 1 << 20;

function derive(plain: string, salt: Buffer, n: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    // scrypt needs 128·N·r bytes; give it that much headroom over node's 32 MiB default.
    const maxmem = Math.max(32 * 1024 * 1024, 256 * n * r);
    scrypt(plain.normalize("NFKC"), salt, keyLength, { N: n, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashSecret(plain: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(plain, salt, N, R, P, KEY_LENGTH);
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** False for a wrong secret and for a hash string this module did not write. */
export async function verifySecret(plain: string, hash: string): Promise<boolean> {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!Number.isInteger(n) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0) return false;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    return false;
  }
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const expected = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await derive(plain, salt, n, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * HA1 = H(user:realm:password) in hex for MD5 and SHA-256 (RFC 8760 §2), which is all a digest
 * verifier needs. The password is taken as typed (UTF-8, no normalisation): phones hash the bytes
 * they were given, so normalising here would lock out non-ASCII passwords.
 */
export function sipDigestSecrets(user: string, realm: string, password: string): SipDigestSecrets {
  const input = `${user}:${realm}:${password}`;
  return {
    realm,
    md5: createHash("md5").update(input, "utf8").digest("hex"),
    sha256: createHash("sha256").update(input, "utf8").digest("hex"),
  };
}

/** 16 random bytes (128 bits) in base32 (RFC 4648, lower case, no padding): 26 characters. */
const SIP_SECRET_BYTES = 16;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * A new SIP secret — what phones register with, apart from the web password — and the digest
 * secrets made from it. The secret itself is shown once and never stored.
 */
export function newSipSecret(
  user: string,
  realm: string,
  now: Date = new Date(),
): { secret: string; secrets: { sipDigest: SipDigestSecrets; sipSecretAt: Date } } {
  const secret = base32(randomBytes(SIP_SECRET_BYTES));
  return {
    secret,
    secrets: { sipDigest: sipDigestSecrets(user, realm, secret), sipSecretAt: now },
  };
}

function base32(bytes: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** What the SIP digest verifier asks for (protocols/sip/auth CredentialLookup's HA1 form). */
export type SipCredentialLookup = (
  username: string,
  realm: string,
) => Promise<{ ha1: { md5: string; sha256: string } } | undefined>;

/**
 * The SIP username is the user id. A user without digest secrets, or whose secrets were made for
 * another realm (sip.domain changed since the password was set), has no credentials.
 */
export function sipCredentialLookup(users: Pick<UsersRepo, "get">): SipCredentialLookup {
  return async (username, realm) => {
    const digest = (await users.get(username))?.secrets.sipDigest;
    if (!digest || digest.realm !== realm) return undefined;
    return { ha1: { md5: digest.md5, sha256: digest.sha256 } };
  };
}
