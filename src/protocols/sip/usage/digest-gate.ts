// Digest authentication in front of a UAS usage (RFC 3261 §22.4, §10.3 steps 3–4): the shared
// step of the registrar, the MWI notifier and challenged INVITEs, which answer 401/407, 403 (a
// throttled source, docs/security.md "SIP digest throttling") or 500 themselves when it fails.

import type { Logger } from "pino";
import { sourceKey } from "../../../core/source-address.ts";
import {
  type CredentialLookup,
  claimedUsername,
  type DigestAlgorithm,
  type DigestChallenger,
  type DigestVerifier,
} from "../auth/index.ts";
import type { IncomingRequest } from "../endpoint.ts";
import type { DigestThrottle } from "./digest-throttle.ts";

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
  /** Wrong digests per source and per account; a banned one gets 403 before any check. */
  throttle?: DigestThrottle;
  logger?: Logger;
}

/** Wrong guesses of a password; other refusals (stale, replayed, malformed) reveal nothing. */
const GUESSES: ReadonlySet<string> = new Set(["bad-response", "unknown-user"]);

/**
 * Resolves with the authenticated user id, or undefined after answering the request: 401 with
 * fresh challenges (stale=true when only the nonce was old or its count was used), 403 to a
 * source or account the throttle has banned, or 500 when the user store failed.
 */
export async function authenticate(
  req: IncomingRequest,
  opts: DigestGateOptions,
  toTag?: string,
): Promise<string | undefined> {
  const m = req.message;
  const tag = toTag === undefined ? {} : { toTag };
  const header = m.headers.getAll(opts.proxy ? "proxy-authorization" : "authorization");
  const throttle = opts.throttle;
  const source = sourceKey(req.source.host);
  const account = throttle ? claimedUsername(header, opts.realm) : undefined;
  // A banned source gets the same 403 whatever it sends, the right password included, so a hit
  // during a ban is not recognisable.
  if (throttle && !throttle.check(source, account).allowed) {
    req.transaction.respond(403, "Forbidden", tag);
    return undefined;
  }
  let result: Awaited<ReturnType<DigestVerifier["verify"]>>;
  try {
    result = await opts.verifier.verify(
      {
        method: m.method,
        uri: m.uri,
        authorizationHeaderValue: header,
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
    throttle?.succeed(source);
    const user = (opts.userOf ?? ((u: string) => u))(result.username);
    if (user !== undefined) return user;
    req.transaction.respond(403, "Forbidden", tag);
    return undefined;
  }
  if (result.reason !== "missing") {
    // The reason only: usernames and responses stay out of the log.
    opts.logger?.info({ method: m.method, reason: result.reason }, "sip digest refused");
  }
  if (throttle && GUESSES.has(result.reason) && !throttle.fail(source, account).allowed) {
    req.transaction.respond(403, "Forbidden", tag);
    return undefined;
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
