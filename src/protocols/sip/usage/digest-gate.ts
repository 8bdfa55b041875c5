// Digest authentication in front of a UAS usage (RFC 3261 §22.4, §10.3 steps 3–4): the shared
// step of the registrar and the MWI notifier, which answer 401 or 500 themselves when it fails.

import type { Logger } from "pino";
import type {
  CredentialLookup,
  DigestAlgorithm,
  DigestChallenger,
  DigestVerifier,
} from "../auth/index.ts";
import type { IncomingRequest } from "../endpoint.ts";

export interface DigestGateOptions {
  realm: string;
  verifier: DigestVerifier;
  challenger: DigestChallenger;
  lookup: CredentialLookup;
  /** The user id a digest username stands for; by default the username itself. */
  userOf?: (username: string) => string | undefined;
  /**
   * Algorithms offered in challenges, one header each, in this order; default the challenger's
   * (SHA-256, MD5). Some phones give up on the first algorithm they do not know — baresip 1.0
   * (libre 1.1) answers nothing when any challenge is not MD5 — so deployments may need ["MD5"].
   */
  algorithms?: readonly DigestAlgorithm[];
  /**
   * Challenge with 407 and read Proxy-Authorization (RFC 3261 §22.3), as PBXs do for INVITEs:
   * phones answer that for a call as they do for a 401, and a proxy in front passes it back.
   */
  proxy?: boolean;
  logger?: Logger;
}

/**
 * Resolves with the authenticated user id, or undefined after answering the request: 401 with
 * fresh challenges (stale=true when only the nonce was old), or 500 when the user store failed.
 */
export async function authenticate(
  req: IncomingRequest,
  opts: DigestGateOptions,
  toTag?: string,
): Promise<string | undefined> {
  const m = req.message;
  const tag = toTag === undefined ? {} : { toTag };
  let result: Awaited<ReturnType<DigestVerifier["verify"]>>;
  try {
    result = await opts.verifier.verify(
      {
        method: m.method,
        uri: m.uri,
        authorizationHeaderValue: m.headers.getAll(
          opts.proxy ? "proxy-authorization" : "authorization",
        ),
        realm: opts.realm,
      },
      opts.lookup,
    );
  } catch (err) {
    // A store failure is ours, not the client's: 500 asks it to retry later without a new password.
    opts.logger?.error({ err: String(err), method: m.method }, "sip digest lookup failed");
    req.transaction.respond(500, "Server Internal Error", {
      ...tag,
      headers: [["Retry-After", "5"]],
    });
    return undefined;
  }
  if (result.ok) {
    const user = (opts.userOf ?? ((u: string) => u))(result.username);
    if (user !== undefined) return user;
    req.transaction.respond(403, "Forbidden", tag);
    return undefined;
  }
  if (result.reason !== "missing") {
    // The reason only: usernames and responses stay out of the log.
    opts.logger?.info({ method: m.method, reason: result.reason }, "sip digest refused");
  }
  const challenge = opts.challenger.challenge(opts.realm, {
    stale: result.stale === true,
    ...(opts.proxy ? { proxy: true } : {}),
    ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
  });
  req.transaction.respond(challenge.status, undefined, {
    ...tag,
    headers: challenge.values.map((v): [string, string] => [challenge.header, v]),
  });
  return undefined;
}
