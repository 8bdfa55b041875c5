// The UAC side of Digest (RFC 3261 §22.2–22.3, RFC 8760 §2.4, RFC 7616 §3.4): answers a 401 or
// 407 with the strongest algorithm offered, and reuses a nonce with an incrementing nonce-count.

import { randomBytes } from "node:crypto";
import type { SipResponse } from "../message/index.ts";
import { algorithmInfo, computeResponse, type DigestAlgorithm, ha1For } from "./algorithms.ts";
import { type DigestChallengeFields, formatDigest, parseDigestChallenge } from "./fields.ts";

export interface ClientCredentials {
  username: string;
  password: string;
  /** Answer only challenges for this realm; any realm when absent. */
  realm?: string;
}

export interface ClientRequest {
  method: string;
  /** The Request-URI of the request being retried; it becomes the digest `uri`. */
  uri: string;
}

export type AnswerResult =
  | {
      ok: true;
      header: "Authorization" | "Proxy-Authorization";
      value: string;
      realm: string;
      algorithm: DigestAlgorithm;
    }
  | { ok: false; reason: "not-a-challenge" | "no-usable-challenge" };

export interface DigestClientOptions {
  /** Client nonce source; injectable for deterministic tests. */
  cnonce?: () => string;
}

interface Remembered {
  challenge: DigestChallengeFields;
  header: "Authorization" | "Proxy-Authorization";
  nc: number;
}

/** Per-peer client state: the last challenge of each realm and how often its nonce was used. */
export class DigestClient {
  readonly #cnonce: () => string;
  readonly #byRealm = new Map<string, Remembered>();

  constructor(options: DigestClientOptions = {}) {
    this.#cnonce = options.cnonce ?? (() => randomBytes(12).toString("base64url"));
  }

  answerChallenge(
    response: SipResponse,
    credentials: ClientCredentials,
    request: ClientRequest,
  ): AnswerResult {
    const proxy = response.status === 407;
    if (!proxy && response.status !== 401) return { ok: false, reason: "not-a-challenge" };
    const values = response.headers.getAll(proxy ? "Proxy-Authenticate" : "WWW-Authenticate");
    const challenge = pickChallenge(values, credentials.realm);
    if (challenge === undefined) return { ok: false, reason: "no-usable-challenge" };
    const header = proxy ? "Proxy-Authorization" : "Authorization";
    const remembered: Remembered = { challenge, header, nc: 0 };
    const previous = this.#byRealm.get(challenge.realm);
    // The same nonce again (a second challenge in one exchange) keeps counting where it was.
    if (previous !== undefined && previous.challenge.nonce === challenge.nonce) {
      remembered.nc = previous.nc;
    }
    this.#byRealm.set(challenge.realm, remembered);
    return this.#answer(remembered, credentials, request);
  }

  /** Credentials for a new request on the last nonce of `realm`, without waiting for a challenge. */
  authorize(realm: string, credentials: ClientCredentials, request: ClientRequest): AnswerResult {
    const remembered = this.#byRealm.get(realm);
    if (remembered === undefined) return { ok: false, reason: "no-usable-challenge" };
    return this.#answer(remembered, credentials, request);
  }

  #answer(state: Remembered, credentials: ClientCredentials, request: ClientRequest): AnswerResult {
    const { challenge } = state;
    const algorithm = challenge.algorithm ?? "MD5";
    const withQop = challenge.qop.includes("auth");
    const sess = algorithmInfo(algorithm).sess;
    const cnonce = withQop || sess ? this.#cnonce() : undefined;
    let nc: string | undefined;
    if (withQop) {
      state.nc += 1;
      nc = state.nc.toString(16).padStart(8, "0");
    }
    const response = computeResponse({
      algorithm,
      ha1: ha1For(algorithm, credentials.username, challenge.realm, credentials.password),
      method: request.method,
      uri: request.uri,
      nonce: challenge.nonce,
      qop: withQop ? "auth" : undefined,
      cnonce,
      nc,
    });
    // computeResponse only refuses when cnonce/nc are missing, which cannot happen here.
    if (response === null) return { ok: false, reason: "no-usable-challenge" };
    const params: Array<[string, string, "quoted" | "token"]> = [
      ["username", credentials.username, "quoted"],
      ["realm", challenge.realm, "quoted"],
      ["nonce", challenge.nonce, "quoted"],
      ["uri", request.uri, "quoted"],
      ["response", response, "quoted"],
      ["algorithm", algorithm, "token"],
    ];
    if (cnonce !== undefined) params.push(["cnonce", cnonce, "quoted"]);
    if (withQop && nc !== undefined) params.push(["qop", "auth", "token"], ["nc", nc, "token"]);
    if (challenge.opaque !== undefined) params.push(["opaque", challenge.opaque, "quoted"]);
    return {
      ok: true,
      header: state.header,
      value: formatDigest(params),
      realm: challenge.realm,
      algorithm,
    };
  }
}

/** One-shot form of {@link DigestClient.answerChallenge} for callers that keep no state. */
export function answerChallenge(
  response: SipResponse,
  credentials: ClientCredentials,
  request: ClientRequest,
  options: DigestClientOptions = {},
): AnswerResult {
  return new DigestClient(options).answerChallenge(response, credentials, request);
}

/** The strongest Digest challenge we can answer: a known algorithm, and qop auth or none. */
function pickChallenge(
  values: readonly string[],
  realm: string | undefined,
): DigestChallengeFields | undefined {
  let best: DigestChallengeFields | undefined;
  let bestStrength = -1;
  for (const value of values) {
    const challenge = parseDigestChallenge(value);
    if (challenge === null || challenge.algorithm === null) continue;
    if (realm !== undefined && challenge.realm !== realm) continue;
    // Offered qop without "auth" (only auth-int) is one we cannot satisfy.
    if (challenge.qop.length > 0 && !challenge.qop.includes("auth")) continue;
    const strength = algorithmInfo(challenge.algorithm).strength;
    if (strength > bestStrength) {
      best = challenge;
      bestStrength = strength;
    }
  }
  return best;
}
