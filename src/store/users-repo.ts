// Users: the profile as JSON plus unique lookup rows for every email (lower-cased), phone and
// bare XMPP JID, kept in step in one transaction so routing by address never sees a half-written
// user, and no address ever has two owners.

import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import { jidKey, type Profile, profileJids } from "../core/profile.ts";
import { fromMs, optionalDate, optionalMs } from "./codec.ts";
import { type Database, isUniqueViolation } from "./database.ts";
import { FixedSql } from "./prepared.ts";
import type { UserRow } from "./schema/index.ts";
import type { SipDigestSecrets, UserRecord, UserSecrets, UsersRepo } from "./types.ts";

/** Every mail, call and session reads a user: fixed SQL (prepared.ts). */
const USER_BY_ID = new FixedSql<UserRow>('select * from "users" where "id" = ?');
const PROFILE_BY_EMAIL = new FixedSql<{ profile: string }>(
  'select "users"."profile" from "user_emails" inner join "users" on "users"."id" = "user_emails"."user_id" where "user_emails"."email" = ?',
);

/** Emails are matched case-insensitively, so they are stored lower-cased and without repeats. */
function normalise(profile: Profile): Profile {
  const emails = [...new Set(profile.emails.map((e) => e.trim().toLowerCase()))];
  const phones = [...new Set(profile.phones.map((p) => p.trim()))];
  return { ...profile, emails, phones };
}

/** The three digest columns are written together: a realm never pairs with another's HA1. */
function sipColumns(
  digest: SipDigestSecrets | undefined,
  issuedAt: Date | undefined,
): Pick<UserRow, "sip_realm" | "sip_ha1_md5" | "sip_ha1_sha256" | "sip_secret_at"> {
  return {
    sip_realm: digest?.realm ?? null,
    sip_ha1_md5: digest?.md5 ?? null,
    sip_ha1_sha256: digest?.sha256 ?? null,
    sip_secret_at: digest ? optionalMs(issuedAt) : null,
  };
}

function toRecord(row: UserRow): UserRecord {
  const secrets: UserSecrets = {};
  if (row.password_hash !== null) secrets.passwordHash = row.password_hash;
  if (row.pin_hash !== null) secrets.pinHash = row.pin_hash;
  if (row.sip_realm !== null && row.sip_ha1_md5 !== null && row.sip_ha1_sha256 !== null) {
    secrets.sipDigest = { realm: row.sip_realm, md5: row.sip_ha1_md5, sha256: row.sip_ha1_sha256 };
    const issuedAt = optionalDate(row.sip_secret_at);
    if (issuedAt !== undefined) secrets.sipSecretAt = issuedAt;
  }
  return {
    profile: JSON.parse(row.profile) as Profile,
    secrets,
    createdAt: fromMs(row.created_at),
    updatedAt: fromMs(row.updated_at),
  };
}

export class SqlUsersRepo implements UsersRepo {
  constructor(private readonly database: Database) {}

  async create(input: Profile, secrets: UserSecrets): Promise<UserRecord> {
    const profile = normalise(input);
    const now = Date.now();
    const row: UserRow = {
      id: profile.id,
      display_name: profile.displayName,
      profile: JSON.stringify(profile),
      password_hash: secrets.passwordHash ?? null,
      pin_hash: secrets.pinHash ?? null,
      ...sipColumns(secrets.sipDigest, secrets.sipSecretAt),
      created_at: now,
      updated_at: now,
    };
    return this.guard(profile.id, () =>
      this.database.transaction(async (tx) => {
        const existing = await tx.db
          .selectFrom("users")
          .select("id")
          .where("id", "=", profile.id)
          .executeTakeFirst();
        if (existing) throw new ConflictError(`user id "${profile.id}" is already taken`);
        await assertAddressesFree(tx, profile);
        await tx.db.insertInto("users").values(row).execute();
        await insertAddresses(tx, profile);
        return toRecord(row);
      }),
    );
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = await USER_BY_ID.first(this.database, [id]);
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<Profile[]> {
    const rows = await this.database.db
      .selectFrom("users")
      .select("profile")
      .orderBy("id")
      .execute();
    return rows.map((r) => JSON.parse(r.profile) as Profile);
  }

  async update(id: string, input: Profile, secrets?: UserSecrets): Promise<UserRecord> {
    if (input.id !== id) {
      throw new ValidationError("id", `a user's id cannot change (from "${id}" to "${input.id}")`);
    }
    const profile = normalise(input);
    return this.guard(id, () =>
      this.database.transaction(async (tx) => {
        const current = await tx.db
          .selectFrom("users")
          .selectAll()
          .where("id", "=", id)
          .executeTakeFirst();
        if (!current) throw new NotFoundError(`no user "${id}"`);
        await assertAddressesFree(tx, profile);
        const row: UserRow = {
          ...current,
          display_name: profile.displayName,
          profile: JSON.stringify(profile),
          password_hash: secrets?.passwordHash ?? current.password_hash,
          pin_hash: secrets?.pinHash ?? current.pin_hash,
          ...(secrets?.sipDigest ? sipColumns(secrets.sipDigest, secrets.sipSecretAt) : {}),
          updated_at: Math.max(Date.now(), current.updated_at),
        };
        await tx.db
          .updateTable("users")
          .set({
            display_name: row.display_name,
            profile: row.profile,
            password_hash: row.password_hash,
            pin_hash: row.pin_hash,
            sip_realm: row.sip_realm,
            sip_ha1_md5: row.sip_ha1_md5,
            sip_ha1_sha256: row.sip_ha1_sha256,
            sip_secret_at: row.sip_secret_at,
            updated_at: row.updated_at,
          })
          .where("id", "=", id)
          .execute();
        await tx.db.deleteFrom("user_emails").where("user_id", "=", id).execute();
        await tx.db.deleteFrom("user_phones").where("user_id", "=", id).execute();
        await tx.db.deleteFrom("user_jids").where("user_id", "=", id).execute();
        await insertAddresses(tx, profile);
        return toRecord(row);
      }),
    );
  }

  async setSipDigest(id: string, digest: SipDigestSecrets, issuedAt: Date): Promise<boolean> {
    const res = await this.database.db
      .updateTable("users")
      .set({ ...sipColumns(digest, issuedAt), updated_at: Date.now() })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async countPasswordSipDigests(): Promise<number> {
    const row = await this.database.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("sip_realm", "is not", null)
      .where("sip_secret_at", "is", null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async delete(id: string): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      await tx.db.deleteFrom("user_emails").where("user_id", "=", id).execute();
      await tx.db.deleteFrom("user_phones").where("user_id", "=", id).execute();
      await tx.db.deleteFrom("user_jids").where("user_id", "=", id).execute();
      await tx.db.deleteFrom("sessions").where("user_id", "=", id).execute();
      const res = await tx.db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  async findByEmail(email: string): Promise<Profile | undefined> {
    const row = await PROFILE_BY_EMAIL.first(this.database, [email.trim().toLowerCase()]);
    return row ? (JSON.parse(row.profile) as Profile) : undefined;
  }

  async findByPhone(number: string): Promise<Profile | undefined> {
    const row = await this.database.db
      .selectFrom("user_phones")
      .innerJoin("users", "users.id", "user_phones.user_id")
      .select("users.profile")
      .where("user_phones.number", "=", number.trim())
      .executeTakeFirst();
    return row ? (JSON.parse(row.profile) as Profile) : undefined;
  }

  async findByJid(jid: string): Promise<Profile | undefined> {
    const row = await this.database.db
      .selectFrom("user_jids")
      .innerJoin("users", "users.id", "user_jids.user_id")
      .select("users.profile")
      .where("user_jids.jid", "=", jidKey(jid))
      .executeTakeFirst();
    return row ? (JSON.parse(row.profile) as Profile) : undefined;
  }

  /** Two writers racing past the checks meet the unique indexes; report that as a conflict too. */
  private async guard<T>(id: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(
          `user "${id}": its id, an email, a phone or a JID is already in use`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }
}

async function assertAddressesFree(tx: Database, profile: Profile): Promise<void> {
  if (profile.emails.length > 0) {
    const taken = await tx.db
      .selectFrom("user_emails")
      .select(["email", "user_id"])
      .where("email", "in", profile.emails)
      .where("user_id", "!=", profile.id)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`email "${taken.email}" already belongs to another user`);
  }
  if (profile.phones.length > 0) {
    const taken = await tx.db
      .selectFrom("user_phones")
      .select(["number", "user_id"])
      .where("number", "in", profile.phones)
      .where("user_id", "!=", profile.id)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`phone "${taken.number}" already belongs to another user`);
  }
  const jids = profileJids(profile);
  if (jids.length > 0) {
    const taken = await tx.db
      .selectFrom("user_jids")
      .select(["jid", "user_id"])
      .where("jid", "in", jids)
      .where("user_id", "!=", profile.id)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`JID "${taken.jid}" already belongs to another user`);
  }
}

async function insertAddresses(tx: Database, profile: Profile): Promise<void> {
  if (profile.emails.length > 0) {
    await tx.db
      .insertInto("user_emails")
      .values(profile.emails.map((email) => ({ email, user_id: profile.id })))
      .execute();
  }
  if (profile.phones.length > 0) {
    await tx.db
      .insertInto("user_phones")
      .values(profile.phones.map((number) => ({ number, user_id: profile.id })))
      .execute();
  }
  const jids = profileJids(profile);
  if (jids.length > 0) {
    await tx.db
      .insertInto("user_jids")
      .values(jids.map((jid) => ({ jid, user_id: profile.id })))
      .execute();
  }
}
