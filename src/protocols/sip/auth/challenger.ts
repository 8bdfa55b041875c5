// Builds Digest challenges for 401/407 responses (RFC 3261 §22.1, §22.3): one challenge per
// algorithm, strongest first, as RFC 8760 §2.4 asks, all with qop="auth" and a stateless nonce.

import type { DigestAlgorithm } from "./algorithms.ts";
import { formatDigest } from "./fields.ts";
import type { NonceSource } from "./nonce.ts";

export interface ChallengeOptions {
  /** A proxy challenges with 407 and Proxy-Authenticate; a registrar or UAS with 401. */
  proxy?: boolean;
  /** Set after a verifier answered "stale": the client may retry without asking its user. */
  stale?: boolean;
  /** In order of preference; default SHA-256 then MD5. */
  algorithms?: readonly DigestAlgorithm[];
  opaque?: string;
}

export interface Challenge {
  status: 401 | 407;
  header: "WWW-Authenticate" | "Proxy-Authenticate";
  /** One header value per algorithm; add each as its own header line. */
  values: string[];
}

export const DEFAULT_ALGORITHMS: readonly DigestAlgorithm[] = ["SHA-256", "MD5"];

export class DigestChallenger {
  readonly #nonces: NonceSource;

  constructor(nonces: NonceSource) {
    this.#nonces = nonces;
  }

  challenge(realm: string, options: ChallengeOptions = {}): Challenge {
    const nonce = this.#nonces.issue(realm);
    const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    const values = algorithms.map((algorithm) => {
      const params: Array<[string, string, "quoted" | "token"]> = [
        ["realm", realm, "quoted"],
        ["nonce", nonce, "quoted"],
        ["algorithm", algorithm, "token"],
        ["qop", "auth", "quoted"],
      ];
      if (options.opaque !== undefined) params.push(["opaque", options.opaque, "quoted"]);
      if (options.stale) params.push(["stale", "true", "token"]);
      return formatDigest(params);
    });
    return options.proxy
      ? { status: 407, header: "Proxy-Authenticate", values }
      : { status: 401, header: "WWW-Authenticate", values };
  }
}
