// Stateless, verifiable server nonces (RFC 7616 §3.3 "nonce" and §5.4): the nonce carries its
// issue time and an HMAC over that time and the realm, so any node holding the key can check it.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const TIME_BYTES = 6; // milliseconds since the epoch fit in 48 bits until the year 10889
const SALT_BYTES = 8; // makes every challenge unique even within one millisecond
const MAC_BYTES = 16; // truncated HMAC-SHA-256: 128 bits is ample against forgery
const NONCE_BYTES = TIME_BYTES + SALT_BYTES + MAC_BYTES;
/** base64url of NONCE_BYTES without padding. */
const NONCE_CHARS = Math.ceil((NONCE_BYTES * 4) / 3);
/** Nodes' clocks may disagree a little; a nonce "from the future" beyond this is forged. */
const FUTURE_SKEW_MS = 30_000;

export type NonceCheck = "valid" | "stale" | "invalid";

/** What challenger and verifier need from a nonce scheme; {@link NonceService} is ours. */
export interface NonceSource {
  issue(realm: string): string;
  check(nonce: string, realm: string): NonceCheck;
  expiresAt(nonce: string): number | undefined;
}

export interface NonceOptions {
  /** At least 16 bytes; shared by every node that must accept the nonces. */
  secret: Buffer | string;
  /** How long a nonce is accepted; default 5 minutes. */
  ttlMs?: number;
  now?: () => number;
  /** Random bytes for the salt; injectable for deterministic tests. */
  random?: (size: number) => Buffer;
}

export class NonceService implements NonceSource {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #random: (size: number) => Buffer;

  constructor(options: NonceOptions) {
    const key =
      typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : options.secret;
    // A configuration error, caught at start-up, never on the network path.
    if (key.length < 16) throw new RangeError("digest nonce secret must be at least 16 bytes");
    this.#key = Buffer.from(key);
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? randomBytes;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  issue(realm: string): string {
    const head = Buffer.alloc(TIME_BYTES + SALT_BYTES);
    head.writeUIntBE(Math.max(0, Math.floor(this.#now())), 0, TIME_BYTES);
    this.#random(SALT_BYTES).copy(head, TIME_BYTES, 0, SALT_BYTES);
    return Buffer.concat([head, this.#mac(head, realm)]).toString("base64url");
  }

  /** "stale" means genuine and for this realm, but older than the time-to-live. */
  check(nonce: string, realm: string): NonceCheck {
    if (nonce.length !== NONCE_CHARS || !/^[A-Za-z0-9_-]+$/.test(nonce)) return "invalid";
    const raw = Buffer.from(nonce, "base64url");
    // One spelling per nonce: spare bits in the last character must not make a second one.
    if (raw.length !== NONCE_BYTES || raw.toString("base64url") !== nonce) return "invalid";
    const head = raw.subarray(0, TIME_BYTES + SALT_BYTES);
    const mac = raw.subarray(TIME_BYTES + SALT_BYTES);
    if (!timingSafeEqual(mac, this.#mac(head, realm))) return "invalid";
    const issuedAt = raw.readUIntBE(0, TIME_BYTES);
    const age = this.#now() - issuedAt;
    if (age < -FUTURE_SKEW_MS) return "invalid";
    return age > this.#ttlMs ? "stale" : "valid";
  }

  expiresAt(nonce: string): number | undefined {
    const raw = Buffer.from(nonce, "base64url");
    if (raw.length !== NONCE_BYTES) return undefined;
    return raw.readUIntBE(0, TIME_BYTES) + this.#ttlMs;
  }

  #mac(head: Buffer, realm: string): Buffer {
    return createHmac("sha256", this.#key)
      .update(head)
      .update(realm, "utf8")
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
