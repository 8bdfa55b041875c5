// The users resource (README "The outside contract"): the admin creates and lists users and assigns
// their addresses; a user reads, changes and deletes their own profile but adds no address
// (ownership.ts). Responses carry the profile only, never a hash; the SIP secret phones register
// with is shown once, in the answer that made it (creation, rotation by POST
// /users/:id/sip-secret).

import type { FastifyPluginAsync } from "fastify";
import type { Config } from "../../config/schema.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { assertPinRule } from "../../core/pin-rule.ts";
import type { Profile } from "../../core/profile.ts";
import { defaultProfile, isWebhookTarget, webhookIdOf } from "../../core/profile.ts";
import { assertRetentionWithin } from "../../core/retention.ts";
import { hashSecret, newSipSecret } from "../../store/secrets.ts";
import type { UserSecrets } from "../../store/types.ts";
import { principalOf, requireAdmin, requireSelfOrAdmin } from "../auth.ts";
import type { RouteContext } from "../deps.ts";
import { assertOwnAddresses, assertServedEmails } from "../ownership.ts";
import { routeSchemas } from "../route-schemas.ts";
import { profileSchema } from "../schemas/profile.ts";
import type {
  CreatedUser,
  CreateUserBody,
  PatchUserBody,
  SipSecretAnswer,
} from "../schemas/users.ts";
import {
  createdUserSchema,
  createUserSchema,
  patchUserSchema,
  profileListSchema,
  sipSecretAnswerSchema,
  userParamsSchema,
} from "../schemas/users.ts";
import { parseInput } from "../validate.ts";

const PROFILE_KEYS = [
  "displayName",
  "phones",
  "emails",
  "voicemailSystems",
  "imClients",
  "routes",
  "mwi",
  "voicemail",
] as const satisfies ReadonlyArray<keyof Profile>;

const profileAnswer = { status: 200, description: "The profile", body: profileSchema };

const createUser = routeSchemas({
  summary: "Create a user (admin)",
  auth: "bearer",
  body: createUserSchema,
  answers: [
    {
      status: 201,
      description: "The profile and its SIP secret, shown once",
      body: createdUserSchema,
    },
  ],
});
const rotateSipSecret = routeSchemas({
  summary: "Make a new SIP secret; the old one stops working",
  auth: "bearer",
  params: userParamsSchema,
  answers: [
    { status: 200, description: "The new SIP secret, shown once", body: sipSecretAnswerSchema },
  ],
});
const listUsers = routeSchemas({
  summary: "List the users (admin)",
  auth: "bearer",
  answers: [{ status: 200, description: "Every profile", body: profileListSchema }],
});
const getUser = routeSchemas({
  summary: "Read a profile",
  auth: "bearer",
  params: userParamsSchema,
  answers: [profileAnswer],
});
const patchUser = routeSchemas({
  summary: "Replace top-level fields of a profile",
  auth: "bearer",
  params: userParamsSchema,
  body: patchUserSchema,
  answers: [profileAnswer],
});
const deleteUser = routeSchemas({
  summary: "Delete a user, their sessions and data",
  auth: "bearer",
  params: userParamsSchema,
  answers: [{ status: 204, description: "Deleted" }],
});

export const usersRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, auth }) => {
  const { users } = deps.store;
  app.addHook("onRequest", auth.hook());
  // MWI follows the profile (sources subscribe, clients get a fresh indicator); its failure is
  // logged and never fails the request whose change is already stored.
  const profileChanged = (userId: string) =>
    deps.mwi.profileChanged(userId).catch((err: unknown) => {
      deps.logger.error({ err, userId }, "mwi: cannot follow the profile change");
    });

  app.post("/users", { config: createUser }, async (request, reply) => {
    requireAdmin(request);
    const body = parseInput(createUser.wire.body, request.body);
    const profile = checkProfile(
      { ...defaultProfile(body.id), ...profileFieldsOf(body) },
      deps.config,
    );
    const sip = newSipSecret(profile.id, deps.config.sip.domain);
    const secrets = { ...(await secretsOf(body, deps.config)), ...sip.secrets };
    const record = await users.create(profile, secrets);
    request.log.info({ userId: profile.id }, "user created");
    await profileChanged(profile.id);
    return reply.code(201).send({ ...record.profile, sipSecret: sip.secret } satisfies CreatedUser);
  });

  // A new SIP secret; the old one stops working at once (phones registered with it keep their
  // binding until it expires, then fail to refresh). Shown once, here.
  app.post("/users/:id/sip-secret", { config: rotateSipSecret }, async (request) => {
    const { id } = parseInput(rotateSipSecret.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    const sip = newSipSecret(id, deps.config.sip.domain);
    const { sipDigest, sipSecretAt } = sip.secrets;
    if (!(await users.setSipDigest(id, sipDigest, sipSecretAt))) {
      throw new NotFoundError(`no user "${id}"`);
    }
    request.log.info({ userId: id, by: principalOf(request).role }, "sip secret rotated");
    return { sipSecret: sip.secret } satisfies SipSecretAnswer;
  });

  app.get("/users", { config: listUsers }, async (request) => {
    requireAdmin(request);
    return users.list();
  });

  app.get("/users/:id", { config: getUser }, async (request) => {
    const { id } = parseInput(getUser.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    const record = await users.get(id);
    if (!record) throw new NotFoundError(`no user "${id}"`);
    return record.profile;
  });

  app.patch("/users/:id", { config: patchUser }, async (request) => {
    const { id } = parseInput(patchUser.wire.params, request.params, "params");
    const principal = requireSelfOrAdmin(request, id);
    const body = parseInput(patchUser.wire.body, request.body);
    if (body.id !== undefined && body.id !== id) {
      if (principal.role === "user") throw new ForbiddenError("a user may not change their own id");
      throw new ValidationError("id", "a user's id cannot change; create a new user instead");
    }
    const current = await users.get(id);
    if (!current) throw new NotFoundError(`no user "${id}"`);
    const candidate: Profile = { ...current.profile, ...profileFieldsOf(body) };
    // Before any other check: a user adding an address learns only that it is not theirs to add.
    if (principal.role === "user") assertOwnAddresses(current.profile, candidate);
    const profile = checkProfile(candidate, deps.config);
    const secrets = await secretsOf(body, deps.config);
    const record = await users.update(
      id,
      profile,
      Object.keys(secrets).length > 0 ? secrets : undefined,
    );
    request.log.info({ userId: id, fields: Object.keys(body) }, "user updated");
    // A new password ends every other session (the caller's own token is bound to the old hash
    // and ends too); the sessions table must not list ones that can no longer verify.
    if (body.password !== undefined) await auth.revokeAll(id);
    await profileChanged(id);
    return record.profile;
  });

  // Erasure (README "Retention and erasure"): every row of the user, then their audio.
  app.delete("/users/:id", { config: deleteUser }, async (request, reply) => {
    const { id } = parseInput(deleteUser.wire.params, request.params, "params");
    requireSelfOrAdmin(request, id);
    // Its open streams close now, not at their next frame; the rows go with the user.
    await auth.revokeAll(id);
    const erased = await deps.store.eraseUser(id);
    if (!erased) throw new NotFoundError(`no user "${id}"`);
    for (const failed of erased.audioFailed)
      request.log.warn({ userId: id, ...failed }, "erased user's audio not removed");
    request.log.info(
      {
        userId: id,
        by: principalOf(request).role,
        rows: erased.rows,
        audio: erased.audio,
        audioFailed: erased.audioFailed.length,
      },
      "user erased",
    );
    // IM clients lose their indicator and sources stop watching; phones' lamps go off.
    await profileChanged(id);
    try {
      await deps.onMailboxChanged?.(id);
    } catch (err) {
      request.log.error({ err, userId: id }, "mailbox change hook failed");
    }
    return reply.code(204).send();
  });
};

/** The profile fields a body names; absent keys stay out so they do not erase what is merged. */
function profileFieldsOf(body: CreateUserBody | PatchUserBody): Partial<Profile> {
  const fields: Record<string, unknown> = {};
  for (const key of PROFILE_KEYS) if (body[key] !== undefined) fields[key] = body[key];
  return fields as Partial<Profile>;
}

/** The merged whole is parsed again: cross-field rules (unique ids, known SMDI links, webhooks). */
function checkProfile(candidate: Profile, config: Config): Profile {
  const profile: Profile = parseInput(profileSchema, candidate);
  assertServedEmails(profile, config.smtp.domains);
  assertRetentionWithin(profile, config.voicemail.retentionDays);
  const links = new Set(config.smdi.map((s) => s.id));
  profile.voicemailSystems.forEach((system, i) => {
    if (system.kind === "smdi" && !links.has(system.link)) {
      throw new ValidationError(
        `voicemailSystems.${i}.link`,
        `no SMDI link "${system.link}" in the configuration (smdi[].id)`,
      );
    }
  });
  const webhooks = new Set(config.webhooks.map((w) => w.id));
  profile.routes.forEach((route, i) => {
    route.to.forEach((target, j) => {
      if (isWebhookTarget(target) && !webhooks.has(webhookIdOf(target))) {
        throw new ValidationError(
          `routes.${i}.to.${j}`,
          `no webhook "${webhookIdOf(target)}" in the configuration (webhooks[].id)`,
        );
      }
    });
  });
  return profile;
}

/** The web password and PIN, hashed; the SIP digest values come from the SIP secret only. */
async function secretsOf(
  body: { password?: string; pin?: string },
  config: Config,
): Promise<UserSecrets> {
  const secrets: UserSecrets = {};
  if (body.password !== undefined) secrets.passwordHash = await hashSecret(body.password);
  if (body.pin !== undefined) {
    assertPinRule(body.pin, config.voicemail.minPinLength);
    secrets.pinHash = await hashSecret(body.pin);
  }
  return secrets;
}
