// Self-signed X.509 certificates (RFC 5280) for TLS listeners that have no configured one: SIP over
// TLS now, SMTP STARTTLS later. Node has no certificate generator, so the TBSCertificate is
// DER-encoded here (der.ts) and signed with node:crypto — an ECDSA P-256 key, ecdsa-with-SHA256 —
// rather than running the openssl binary: no dependency, no subprocess, the same on every host.

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { isIP } from "node:net";
import {
  bitString,
  boolean,
  type Der,
  explicit,
  implicit,
  objectId,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from "./der.ts";

export interface SelfSignedOptions {
  /** DNS names and IP addresses the certificate is for; the first is also its common name. */
  names: string[];
  /** Validity in days from now (default 3650); it starts a day back to allow for clock skew. */
  days?: number;
  /** An existing key to certify (PEM, PKCS#8 or SEC1); default a new P-256 key. */
  key?: string;
  now?: Date;
}

export interface SelfSigned {
  /** PEM "CERTIFICATE". */
  cert: string;
  /** PEM PKCS#8 "PRIVATE KEY". */
  key: string;
}

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const SUBJECT_ALT_NAME = "2.5.29.17";
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
const EXT_KEY_USAGE = "2.5.29.37";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** An IP address as the 4 or 16 octets of an iPAddress GeneralName. */
function ipOctets(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(
    groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]),
  );
}

function generalName(name: string): Der {
  const bare = name.replace(/^\[|\]$/g, "");
  return isIP(bare) ? implicit(7, ipOctets(bare)) : implicit(2, Buffer.from(name, "ascii"));
}

function extension(oid: string, critical: boolean, value: Der): Der {
  return sequence(objectId(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** Builds and signs a certificate whose subject and issuer are the first name. */
export function createSelfSigned(options: SelfSignedOptions): SelfSigned {
  const names = options.names.filter((n) => n.length > 0);
  if (names.length === 0) throw new TypeError("a certificate needs at least one name");
  for (const n of names) {
    if (!isIP(n.replace(/^\[|\]$/g, "")) && !/^[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})$/.test(n))
      throw new TypeError(`"${n}" is neither a host name nor an IP address`);
  }
  const privateKey: KeyObject = options.key
    ? createPrivateKey(options.key)
    : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  if (privateKey.asymmetricKeyType !== "ec")
    throw new TypeError("the key for a self-signed certificate must be an EC key");
  // The SubjectPublicKeyInfo comes ready-encoded from node:crypto.
  const spki = Buffer.from(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 86_400_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 3650) * 86_400_000);
  const name = sequence(set(sequence(objectId(COMMON_NAME), utf8String(names[0]!))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // RFC 5280 §4.1.2.2: positive, at most 20 octets
  const algorithm = sequence(objectId(ECDSA_WITH_SHA256));
  const extensions = sequence(
    extension(BASIC_CONSTRAINTS, true, sequence()),
    // digitalSignature (bit 0): the bits are written MSB first; 7 unused bits.
    extension(KEY_USAGE, true, Buffer.from([0x03, 0x02, 0x07, 0x80])),
    extension(EXT_KEY_USAGE, false, sequence(objectId(SERVER_AUTH), objectId(CLIENT_AUTH))),
    extension(SUBJECT_ALT_NAME, false, sequence(...names.map(generalName))),
  );
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value
  const der = sequence(tbs, algorithm, bitString(signature));
  return {
    cert: pem("CERTIFICATE", der),
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
