// Self-service address claims (docs/security.md "Addresses and ownership"), when
// `addresses.selfClaim` is on: POST /users/:id/claims {email} or {jid} sends a one-time code to
// that address; POST /users/:id/claims/:code adds the address to the profile. Only the user
// themself claims; the admin assigns with PATCH /users/:id instead.

import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
} from "../../core/errors.ts";
import { jidKey, type Profile } from "../../core/profile.ts";
import { AddressClaims, CLAIM_CODE, type ClaimedAddress } from "../address-claims.ts";
import type { Principal } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { assertServedEmails } from "../ownership.ts";
import { routeSchemas } from "../route-schemas.ts";
import { emailSchema, jidSchema, profileSchema, userIdSchema } from "../schemas/profile.ts";
import { parseInput } from "../validate.ts";

const claimBody = z
  .strictObject({ email: z.optional(emailSchema), jid: z.optional(jidSchema) })
  .refine((b) => (b.email === undefined) !== (b.jid === undefined), {
    message: "give exactly one of email or jid",
    path: ["email"],
  });
const userParams = z.strictObject({ id: userIdSchema });
const codeParams = z.strictObject({
  id: userIdSchema,
  code: z
    .string()
    .toUpperCase()
    .pipe(z.string().regex(CLAIM_CODE, "expected the code sent to the address")),
});
const claimStarted = z.strictObject({ expiresAt: z.string() });

const startClaim = routeSchemas({
  summary: "Claim a free email or JID: a one-time code is sent to it (addresses.selfClaim)",
  auth: "bearer",
  params: userParams,
  body: claimBody,
  answers: [{ status: 202, description: "The code is on its way", body: claimStarted }],
});
const confirmClaim = routeSchemas({
  summary: "Add the claimed address to the profile with the code sent to it",
  auth: "bearer",
  params: codeParams,
  answers: [{ status: 200, description: "The profile", body: profileSchema }],
});

export const claimsRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  const { addresses } = deps.config;
  const claims = new AddressClaims(addresses.claimTtlMs);
  app.addHook("onRequest", auth.hook());

  app.post("/users/:id/claims", { config: startClaim }, async (request, reply) => {
    const { id } = parseInput(startClaim.wire.params, request.params, "params");
    selfOnly(request.principal, id, addresses.selfClaim);
    const body = parseInput(startClaim.wire.body, request.body);
    const address: ClaimedAddress =
      body.email !== undefined
        ? { kind: "email", email: body.email }
        : { kind: "jid", jid: jidKey(body.jid ?? "") };
    if (address.kind === "email") {
      assertServedEmails({ emails: [address.email] }, deps.config.smtp.domains);
      if (await deps.store.users.findByEmail(address.email)) throw taken(address.email);
    } else if (await deps.store.users.findByJid(address.jid)) {
      throw taken(address.jid);
    }
    if (!deps.sendClaimCode) throw new ForbiddenError("no way to send a claim code is configured");
    // Each claim sends a message to someone: a user cannot make omnivox a spam cannon.
    const sending = claims.countSend(id);
    if (!sending.allowed) {
      const seconds = Math.ceil(sending.retryAfterMs / 1000);
      throw new RateLimitedError(
        `too many claims; try again in ${seconds} s`,
        sending.retryAfterMs,
      );
    }
    const { code, expiresAt } = claims.start(id, address);
    await deps.sendClaimCode(
      id,
      address.kind === "email"
        ? { scheme: "mailto", email: address.email }
        : { scheme: "xmpp", jid: address.jid },
      code,
      expiresAt,
    );
    request.log.info({ userId: id, kind: address.kind }, "address claim code sent");
    return reply
      .code(202)
      .send({ expiresAt: expiresAt.toISOString() } satisfies z.output<typeof claimStarted>);
  });

  app.post("/users/:id/claims/:code", { config: confirmClaim }, async (request) => {
    const { id, code } = parseInput(confirmClaim.wire.params, request.params, "params");
    selfOnly(request.principal, id, addresses.selfClaim);
    const result = claims.confirm(id, code);
    if (!result.ok && result.reason === "throttled") {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      throw new RateLimitedError(
        `too many wrong claim codes; try again in ${seconds} s`,
        result.retryAfterMs,
      );
    }
    if (!result.ok) throw new NotFoundError("no pending claim with that code (wrong or expired)");
    const current = await deps.store.users.get(id);
    if (!current) throw new NotFoundError(`no user "${id}"`);
    const profile = withAddress(current.profile, result.address);
    // The store's unique indexes still decide: an address given to someone else meanwhile is 409.
    const record = await deps.store.users.update(id, profile);
    request.log.info({ userId: id, kind: result.address.kind }, "address claimed");
    await deps.mwi.profileChanged(id).catch((err: unknown) => {
      deps.logger.error({ err, userId: id }, "mwi: cannot follow the profile change");
    });
    return record.profile;
  });
};

/** The caller must be the user themself, and self-service must be on. */
function selfOnly(principal: Principal | undefined, userId: string, enabled: boolean): void {
  if (!principal || principal.role === "admin") {
    throw new ForbiddenError("the admin assigns addresses with PATCH /users/:id, not by a claim");
  }
  if (principal.userId !== userId) throw new ForbiddenError("a user may only claim for themself");
  if (!enabled) {
    throw new ForbiddenError(
      "addresses are assigned by the admin (self-service claims are off: addresses.selfClaim)",
    );
  }
}

function taken(address: string): ConflictError {
  return new ConflictError(`"${address}" already belongs to a user`);
}

function withAddress(profile: Profile, address: ClaimedAddress): Profile {
  if (address.kind === "email") {
    return { ...profile, emails: [...new Set([...profile.emails, address.email])] };
  }
  const ids = new Set(profile.imClients.map((c) => c.id));
  let n = 1;
  while (ids.has(`xmpp-${n}`)) n++;
  return {
    ...profile,
    imClients: [...profile.imClients, { id: `xmpp-${n}`, kind: "xmpp", jid: address.jid }],
  };
}
