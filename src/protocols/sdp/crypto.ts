// SDP Security Descriptions for media streams (RFC 4568): reading and writing `a=crypto` and
// choosing a key the SRTP layer can use. Only AES_CM_128_HMAC_SHA1_80 and _32 (RFC 4568 §6.2) with
// one inline key, no MKI and no session parameters are usable; anything else is refused by name.
import { randomBytes } from "node:crypto";
import type { MediaDescription, ParseResult } from "./types.ts";

/** What omnivox does about SRTP (config `sip.srtp`; README "Telephone: SRTP"). */
export type SrtpMode = "off" | "offer" | "require";

export type SdesSuite = "AES_CM_128_HMAC_SHA1_80" | "AES_CM_128_HMAC_SHA1_32";

/** Suites we accept, best first; the first is the one we offer (RFC 4568 §6.2.1). */
export const SDES_SUITES: readonly SdesSuite[] = [
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
];

/** Master key ‖ master salt of the AES_CM_128 suites (RFC 4568 §6.2.1): 128 + 112 bits. */
export const SDES_KEY_BYTES = 30;

/**
 * A key lifetime shorter than this is refused. The lifetime bounds the packets the peer sends with
 * its key; after it the peer must re-key by re-INVITE, which we do not follow. 2^20 packets of
 * 20 ms are about 5.8 hours of audio.
 */
const MIN_LIFETIME = 2 ** 20;

/** `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (RFC 4568 §9.1). */
export interface CryptoAttribute {
  tag: number;
  suite: string;
  keyParams: string[];
  sessionParams: string[];
}

/** A usable SDES key: the tag that names it, its suite and the 30 octets of key ‖ salt. */
export interface SdesKey {
  tag: number;
  suite: SdesSuite;
  key: Buffer;
}

export function parseCrypto(value: string): ParseResult<CryptoAttribute> {
  const parts = value.trim().split(/[ \t]+/);
  if (parts.length < 3)
    return { ok: false, error: `a=crypto:${value}: tag, suite and key expected` };
  const [tag, suite, keys, ...sessionParams] = parts as [string, string, string, ...string[]];
  // tag = 1*9DIGIT (RFC 4568 §9.1)
  if (!/^\d{1,9}$/.test(tag)) return { ok: false, error: `a=crypto: bad tag "${tag}"` };
  return {
    ok: true,
    value: { tag: Number(tag), suite, keyParams: keys.split(";"), sessionParams },
  };
}

function isSdesSuite(name: string): name is SdesSuite {
  return (SDES_SUITES as readonly string[]).includes(name);
}

function parseLifetime(text: string): number {
  const power = /^2\^(\d{1,2})$/.exec(text);
  if (power) return 2 ** Number(power[1]);
  return /^\d{1,20}$/.test(text) ? Number(text) : Number.NaN;
}

/** Checks one attribute against what our SRTP can do; the error says why it cannot be used. */
export function usableKey(attr: CryptoAttribute): ParseResult<SdesKey> {
  const fail = (why: string): ParseResult<SdesKey> => ({
    ok: false,
    error: `a=crypto ${attr.tag} ${attr.suite}: ${why}`,
  });
  if (!isSdesSuite(attr.suite)) return fail("suite not supported");
  if (attr.sessionParams.length > 0) {
    return fail(`session parameters not supported (${attr.sessionParams.join(" ")})`);
  }
  if (attr.keyParams.length !== 1) return fail("more than one key (MKI) not supported");
  const param = attr.keyParams[0]!;
  if (!param.startsWith("inline:")) return fail("only inline keys are supported");
  const [b64, ...rest] = param.slice("inline:".length).split("|");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64 ?? "")) return fail("key is not base64");
  const key = Buffer.from(b64!, "base64");
  if (key.length !== SDES_KEY_BYTES) {
    return fail(`key ‖ salt is ${key.length} octets, ${SDES_KEY_BYTES} expected`);
  }
  for (const extra of rest) {
    if (extra.includes(":")) return fail(`MKI (${extra}) not supported`);
    const lifetime = parseLifetime(extra);
    if (!(lifetime >= MIN_LIFETIME)) return fail(`key lifetime ${extra} is shorter than 2^20`);
  }
  if (rest.length > 1) return fail("more than one lifetime");
  return { ok: true, value: { tag: attr.tag, suite: attr.suite, key } };
}

/** The stream's a=crypto attributes, parsed; malformed ones come back as errors in place. */
export function cryptoAttributes(m: MediaDescription): ParseResult<CryptoAttribute>[] {
  return m.attributes.filter((a) => a.name === "crypto").map((a) => parseCrypto(a.value ?? ""));
}

/**
 * The first offered key we can use (RFC 4568 §7.1.1: the answerer picks one attribute), or an
 * error naming each attribute we had to pass over.
 */
export function chooseKey(m: MediaDescription): ParseResult<SdesKey> {
  const attrs = cryptoAttributes(m);
  if (attrs.length === 0) return { ok: false, error: "no a=crypto attribute" };
  const reasons: string[] = [];
  for (const attr of attrs) {
    const key = attr.ok ? usableKey(attr.value) : attr;
    if (key.ok) return key;
    reasons.push(key.error);
  }
  return {
    ok: false,
    error: `no usable a=crypto (${reasons.slice(0, 4).join("; ")}); we accept ${SDES_SUITES.join(", ")} with one inline key`,
  };
}

/** A fresh key for our side of a stream: every offer and answer gets its own (RFC 4568 §6.1). */
export function newSdesKey(tag: number, suite: SdesSuite): SdesKey {
  return { tag, suite, key: randomBytes(SDES_KEY_BYTES) };
}

export function formatCrypto(key: SdesKey): string {
  return `${key.tag} ${key.suite} inline:${key.key.toString("base64")}`;
}
