// SRTP crypto suites and session-key derivation (RFC 3711 §4.3, §8.2): the AES-CM PRF with a key
// derivation rate of 0, as SDES (RFC 4568 §6.2) uses it for AES_CM_128_HMAC_SHA1_80 and _32.
import { createCipheriv } from "node:crypto";

export type SrtpSuiteName = "AES_CM_128_HMAC_SHA1_80" | "AES_CM_128_HMAC_SHA1_32";

export interface SrtpSuite {
  name: SrtpSuiteName;
  /** Octets of the SRTP authentication tag; SRTCP always uses 10 with these suites (RFC 4568 §6.2). */
  rtpTagBytes: number;
}

export const SRTP_SUITES: Readonly<Record<SrtpSuiteName, SrtpSuite>> = {
  AES_CM_128_HMAC_SHA1_80: { name: "AES_CM_128_HMAC_SHA1_80", rtpTagBytes: 10 },
  AES_CM_128_HMAC_SHA1_32: { name: "AES_CM_128_HMAC_SHA1_32", rtpTagBytes: 4 },
};

export function isSrtpSuiteName(name: string): name is SrtpSuiteName {
  return Object.hasOwn(SRTP_SUITES, name);
}

export const MASTER_KEY_BYTES = 16;
export const MASTER_SALT_BYTES = 14;
/** The SDES inline key is the master key followed by the master salt (RFC 4568 §6.1). */
export const KEY_MATERIAL_BYTES = MASTER_KEY_BYTES + MASTER_SALT_BYTES;
/** The longest trailer protect() appends: the 80-bit tag. */
export const SRTP_MAX_TRAILER_BYTES = 10;

const AUTH_KEY_BYTES = 20; // n_a = 160 for HMAC-SHA1 (RFC 3711 §8.2)

/** Key derivation labels for SRTP (RFC 3711 §4.3.1); we send no RTCP, so SRTCP keys are not made. */
const LABEL = { rtpCipher: 0, rtpAuth: 1, rtpSalt: 2 };

export interface SrtpSessionKeys {
  cipherKey: Buffer;
  /** 14 octets, the k_s of the AES-CM IV (RFC 3711 §4.1.1). */
  salt: Buffer;
  authKey: Buffer;
}

/**
 * PRF_n(k_master, x) = AES-CM keystream with IV = x·2^16 (RFC 3711 §4.3.3). With a key derivation
 * rate of 0, r = index DIV kdr is 0, so x is the master salt with the label in its eighth octet.
 */
export function deriveKey(masterKey: Buffer, masterSalt: Buffer, label: number, n: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, MASTER_SALT_BYTES);
  iv[7]! ^= label;
  const cipher = createCipheriv("aes-128-ctr", masterKey, iv);
  return cipher.update(Buffer.alloc(n));
}

function checkMaterial(material: Uint8Array): { key: Buffer; salt: Buffer } {
  if (material.length !== KEY_MATERIAL_BYTES) {
    throw new RangeError(
      `SRTP key material is ${material.length} octets; ${KEY_MATERIAL_BYTES} (key ‖ salt) expected`,
    );
  }
  const buf = Buffer.from(material);
  return { key: buf.subarray(0, MASTER_KEY_BYTES), salt: buf.subarray(MASTER_KEY_BYTES) };
}

export function deriveRtpKeys(material: Uint8Array): SrtpSessionKeys {
  const { key, salt } = checkMaterial(material);
  return {
    cipherKey: deriveKey(key, salt, LABEL.rtpCipher, MASTER_KEY_BYTES),
    salt: deriveKey(key, salt, LABEL.rtpSalt, MASTER_SALT_BYTES),
    authKey: deriveKey(key, salt, LABEL.rtpAuth, AUTH_KEY_BYTES),
  };
}
