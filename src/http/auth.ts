// Who is calling: `Authorization: Bearer <token>` (RFC 6750 §2.1), or `?token=` (RFC 6750 §2.3)
// where a browser cannot set headers (the WebSocket). The admin token sees everything; a user
// token from POST /session sees only that user's data, and only while its session row exists.
// Logins are throttled per source and per account (core/throttle.ts, docs/security.md).

import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Config } from "../config/schema.ts";
import { ForbiddenError, RateLimitedError, UnauthorizedError } from "../core/errors.ts";
import { Throttle } from "../core/throttle.ts";
import { hashSecret, verifySecret } from "../store/secrets.ts";
import type { SessionsRepo, UsersRepo } from "../store/types.ts";
import type { IssuedToken } from "./tokens.ts";
import { SessionTokens } from "./tokens.ts";

export type Principal = { role: "admin" } | { role: "user"; userId: string; sessionId: string };

declare module "fastify" {
  interface FastifyRequest {
    /** Set by Authenticator.hook on the routes that require a token. */
    principal?: Principal;
  }
}

export interface AuthenticatorOptions {
  adminToken: string;
  /** app/server-secret.ts: keys the session token MACs. */
  serverSecret: string;
  sessionTtlMs: number;
  users: Pick<UsersRepo, "get">;
  sessions: SessionsRepo;
  loginThrottle: Config["http"]["loginThrottle"];
  now?: () => number;
}

/** Where a login comes from, kept with its session so the user can tell sessions apart. */
export interface LoginSource {
  address: string;
  userAgent?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export class Authenticator {
  readonly #tokens: SessionTokens;
  readonly #users: Pick<UsersRepo, "get">;
  readonly #sessions: SessionsRepo;
  readonly #now: () => number;
  /** Verified against when the user is unknown, so both failures cost the same scrypt run. */
  readonly #decoyHash: Promise<string>;
  readonly #bySource: Throttle;
  readonly #byAccount: Throttle;
  /** Open WebSockets (and the like) per session, closed when their session is revoked. */
  readonly #watchers = new Map<string, Set<() => void>>();

  constructor(opts: AuthenticatorOptions) {
    this.#now = opts.now ?? Date.now;
    this.#tokens = new SessionTokens(
      opts.serverSecret,
      opts.adminToken,
      opts.sessionTtlMs,
      this.#now,
    );
    this.#users = opts.users;
    this.#sessions = opts.sessions;
    this.#decoyHash = hashSecret("omnivox decoy password");
    const { source, account, maxKeys } = opts.loginThrottle;
    this.#bySource = new Throttle({ ...source, maxKeys }, this.#now);
    this.#byAccount = new Throttle({ ...account, maxKeys }, this.#now);
  }

  /**
   * Wrong password, unknown user and a user without a password all give the same 401. A source
   * that failed too often gets 429 until its ban ends; an account under attack from many sources
   * refuses every source that has failed lately, so its owner — from a clean source — still gets in.
   */
  async login(user: string, password: string, from: LoginSource): Promise<IssuedToken> {
    const sourceKey = from.address;
    const source = this.#bySource.check(sourceKey);
    if (!source.allowed) throw tooMany("this source", source.retryAfterMs);
    const account = this.#byAccount.check(user);
    if (!account.allowed && this.#bySource.failures(sourceKey) > 0) {
      throw tooMany("this account from this source", account.retryAfterMs);
    }
    const record = await this.#users.get(user);
    const hash = record?.secrets.passwordHash;
    const ok = await verifySecret(password, hash ?? (await this.#decoyHash));
    if (!record || !hash || !ok) {
      this.#byAccount.fail(user);
      const verdict = this.#bySource.fail(sourceKey);
      if (!verdict.allowed) throw tooMany("this source", verdict.retryAfterMs);
      throw new UnauthorizedError("wrong user or password");
    }
    this.#bySource.succeed(sourceKey);
    const issued = this.#tokens.issue(record.profile.id, hash);
    await this.#sessions.create({
      id: issued.sessionId,
      userId: record.profile.id,
      createdAt: new Date(this.#now()),
      expiresAt: issued.expiresAt,
      source: from.address,
      ...(from.userAgent !== undefined ? { userAgent: from.userAgent.slice(0, 256) } : {}),
    });
    return issued;
  }

  /** Sources and accounts banned now (for metrics). */
  throttled(): { sources: number; accounts: number } {
    return { sources: this.#bySource.banned(), accounts: this.#byAccount.banned() };
  }

  /**
   * The principal behind a token; UnauthorizedError when it is missing, forged or expired, when
   * its session was revoked, or when its user is gone or has changed password since (the token
   * is bound to the hash).
   */
  async identify(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedError("missing bearer token");
    if (this.#tokens.isAdmin(token)) return { role: "admin" };
    const claimed = this.#tokens.claims(token);
    const hash = claimed
      ? (await this.#users.get(claimed.userId))?.secrets.passwordHash
      : undefined;
    const claims = hash ? this.#tokens.verify(token, hash) : undefined;
    const live = claims
      ? await this.#sessions.get(claims.userId, claims.sessionId, new Date(this.#now()))
      : undefined;
    if (!claims || !live) throw new UnauthorizedError("invalid, expired or revoked token");
    return { role: "user", userId: claims.userId, sessionId: claims.sessionId };
  }

  /** Calls `onRevoke` when the session is revoked; the returned function stops watching. */
  watchSession(sessionId: string, onRevoke: () => void): () => void {
    let set = this.#watchers.get(sessionId);
    if (!set) {
      set = new Set();
      this.#watchers.set(sessionId, set);
    }
    set.add(onRevoke);
    return () => {
      const current = this.#watchers.get(sessionId);
      current?.delete(onRevoke);
      if (current?.size === 0) this.#watchers.delete(sessionId);
    };
  }

  /** Ends one session of the user; false when there was none. Its sockets close at once. */
  async revoke(userId: string, sessionId: string): Promise<boolean> {
    const gone = await this.#sessions.delete(userId, sessionId);
    this.#notifyRevoked([sessionId]);
    return gone;
  }

  /** Ends every session of the user (but `exceptId`); returns how many. */
  async revokeAll(userId: string, exceptId?: string): Promise<number> {
    const live = await this.#sessions.listForUser(userId, new Date(this.#now()));
    const count = await this.#sessions.deleteForUser(userId, exceptId);
    this.#notifyRevoked(live.map((s) => s.id).filter((id) => id !== exceptId));
    return count;
  }

  #notifyRevoked(sessionIds: string[]): void {
    for (const id of sessionIds) {
      const set = this.#watchers.get(id);
      if (!set) continue;
      this.#watchers.delete(id);
      for (const onRevoke of set) {
        try {
          onRevoke();
        } catch {
          // a socket already closing cannot refuse to close; the rest still get told
        }
      }
    }
  }

  /** An onRequest hook that sets request.principal; `allowQuery` also accepts `?token=`. */
  hook(opts: { allowQuery?: boolean } = {}): onRequestAsyncHookHandler {
    return async (request) => {
      request.principal = await this.identify(bearerToken(request, opts.allowQuery ?? false));
    };
  }
}

function tooMany(what: string, retryAfterMs: number): RateLimitedError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new RateLimitedError(
    `too many failed logins from ${what}; try again in ${seconds} s`,
    retryAfterMs,
  );
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
