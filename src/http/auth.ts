// Who is calling: `Authorization: Bearer <token>` (RFC 6750 §2.1), or `?token=` (RFC 6750 §2.3)
// where a browser cannot set headers (the WebSocket). The admin token sees everything; a user
// token from POST /session sees only that user's data.

import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { ForbiddenError, UnauthorizedError } from "../core/errors.ts";
import { hashSecret, verifySecret } from "../store/secrets.ts";
import type { UsersRepo } from "../store/types.ts";
import type { IssuedToken } from "./tokens.ts";
import { SessionTokens } from "./tokens.ts";

export type Principal = { role: "admin" } | { role: "user"; userId: string };

declare module "fastify" {
  interface FastifyRequest {
    /** Set by Authenticator.hook on the routes that require a token. */
    principal?: Principal;
  }
}

export interface AuthenticatorOptions {
  adminToken: string;
  sessionTtlMs: number;
  users: Pick<UsersRepo, "get">;
  now?: () => number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export class Authenticator {
  readonly #tokens: SessionTokens;
  readonly #users: Pick<UsersRepo, "get">;
  /** Verified against when the user is unknown, so both failures cost the same scrypt run. */
  readonly #decoyHash: Promise<string>;

  constructor(opts: AuthenticatorOptions) {
    this.#tokens = new SessionTokens(opts.adminToken, opts.sessionTtlMs, opts.now);
    this.#users = opts.users;
    this.#decoyHash = hashSecret("omnivox decoy password");
  }

  /** Wrong password, unknown user and a user without a password all give the same 401. */
  async login(user: string, password: string): Promise<IssuedToken> {
    const record = await this.#users.get(user);
    const hash = record?.secrets.passwordHash;
    const ok = await verifySecret(password, hash ?? (await this.#decoyHash));
    if (!record || !hash || !ok) throw new UnauthorizedError("wrong user or password");
    return this.#tokens.issue(record.profile.id, hash);
  }

  /**
   * The principal behind a token; UnauthorizedError when it is missing, forged or expired, or
   * when its user is gone or has changed password since (the token is bound to the hash).
   */
  async identify(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedError("missing bearer token");
    if (this.#tokens.isAdmin(token)) return { role: "admin" };
    const claimed = this.#tokens.claimedUser(token);
    const hash = claimed ? (await this.#users.get(claimed))?.secrets.passwordHash : undefined;
    const userId = hash ? this.#tokens.verifyUser(token, hash) : undefined;
    if (!userId) throw new UnauthorizedError("invalid or expired token");
    return { role: "user", userId };
  }

  /** An onRequest hook that sets request.principal; `allowQuery` also accepts `?token=`. */
  hook(opts: { allowQuery?: boolean } = {}): onRequestAsyncHookHandler {
    return async (request) => {
      request.principal = await this.identify(bearerToken(request, opts.allowQuery ?? false));
    };
  }
}

export function bearerToken(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return BEARER.exec(header)?.[1];
  if (!allowQuery) return undefined;
  const query = request.query;
  if (typeof query === "object" && query !== null && "token" in query) {
    const token = query.token;
    return typeof token === "string" && token.length > 0 ? token : undefined;
  }
  return undefined;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError("missing bearer token");
  return request.principal;
}

export function requireAdmin(request: FastifyRequest): void {
  if (principalOf(request).role !== "admin") throw new ForbiddenError("admin token required");
}

/** A user sees only their own data; the admin sees all. */
export function requireSelfOrAdmin(request: FastifyRequest, userId: string): Principal {
  const principal = principalOf(request);
  if (principal.role === "user" && principal.userId !== userId) {
    throw new ForbiddenError("a user may only access their own data");
  }
  return principal;
}
