// Signed, expiring audio links: `/api/v1/audio/<id>?exp=<ms>&sig=<mac>` where mac is
// base64url(HMAC-SHA256) over `<id>.<exp>`, keyed from the server secret (app/server-secret.ts)
// with its own HKDF label. Whoever holds the link may fetch that one blob until `exp`; replacing
// the server secret ends all.

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/schema.ts";
import { formatHostPort, type HostPort } from "../core/host-port.ts";
import type { AudioLinks } from "../core/ports.ts";
import { AUDIO_ID } from "./schemas/voicemail.ts";
import { deriveKey } from "./tokens.ts";

export const AUDIO_PATH = "/api/v1/audio/";
const EXPIRY = /^[0-9]{1,15}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

export type AudioUrlCheck = "ok" | "expired" | "invalid";

export class AudioUrlSigner {
  readonly #key: Buffer;

  constructor(
    serverSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = deriveKey(serverSecret, "omnivox audio url v1");
  }

  /** The relative path (from the server root) that serves `audioId` for `ttlMs`. */
  signAudioUrl(audioId: string, ttlMs: number): string {
    if (!AUDIO_ID.test(audioId)) throw new RangeError("audio url: invalid audio id");
    const exp = this.now() + Math.max(0, Math.floor(ttlMs));
    return `${AUDIO_PATH}${audioId}?exp=${exp}&sig=${this.#mac(audioId, String(exp))}`;
  }

  /** The signature is checked before the expiry, so a forged link never learns it is stale. */
  verify(audioId: string, exp: string, sig: string): AudioUrlCheck {
    if (!AUDIO_ID.test(audioId) || !EXPIRY.test(exp) || !MAC.test(sig)) return "invalid";
    // Compared as text: only the one canonical base64url spelling of the signature is accepted.
    const expected = Buffer.from(this.#mac(audioId, exp), "latin1");
    const given = Buffer.from(sig, "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
    return Number(exp) > this.now() ? "ok" : "expired";
  }

  #mac(audioId: string, exp: string): string {
    return createHmac("sha256", this.#key).update(`${audioId}.${exp}`).digest("base64url");
  }
}

/** `publicUrl` when configured, else the HTTP listener as bound (IPv6 in brackets). */
export function baseUrlOf(config: Pick<Config, "publicUrl">, bound: HostPort): string {
  if (config.publicUrl !== undefined) return config.publicUrl.replace(/\/+$/, "");
  return `http://${formatHostPort(bound)}`;
}

/**
 * The AudioLinks the gateway's converters use. `baseUrl` is read on every call: with port 0 the
 * port is known only once the HTTP server has bound.
 */
export function createAudioLinks(opts: {
  signer: AudioUrlSigner;
  baseUrl: () => string;
  defaultTtlMs: number;
}): AudioLinks {
  return {
    urlFor(audioId, ttlMs = opts.defaultTtlMs, format) {
      const url = opts.baseUrl() + opts.signer.signAudioUrl(audioId, ttlMs);
      return format === undefined || format === "wav" ? url : `${url}&format=${format}`;
    },
  };
}
