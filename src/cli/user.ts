// `omnivox user add|list|show|sip-secret|delete`: user administration straight on the store, for the
// first user before any token exists and for scripts. The SIP secret phones register with is
// printed once, when made (add, sip-secret); delete erases the user and all their data.

import type { Config } from "../config/schema.ts";
import { ValidationError } from "../core/errors.ts";
import { assertPinRule } from "../core/pin-rule.ts";
import { defaultProfile } from "../core/profile.ts";
import { assertServedEmails } from "../http/ownership.ts";
import { openStore } from "../store/open.ts";
import { hashSecret, newSipSecret } from "../store/secrets.ts";

export interface UserOptions {
  name?: string;
  email?: string[];
  phone?: string[];
  password?: string;
  pin?: string;
}

export async function runUser(
  config: Config,
  sub: string | undefined,
  args: string[],
  opts: UserOptions,
): Promise<number> {
  const store = await openStore({
    database: config.database,
    dataDir: config.dataDir,
    pgSchema: config.databaseSchema,
  });
  try {
    switch (sub) {
      case "add": {
        const id = args[0];
        if (!id || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(id)) {
          throw new ValidationError(
            "id",
            "give a user id of lower-case letters, digits, '.', '_' or '-'",
          );
        }
        if (opts.pin !== undefined) assertPinRule(opts.pin, config.voicemail.minPinLength);
        const profile = {
          ...defaultProfile(id, opts.name ?? id),
          emails: (opts.email ?? []).map((e) => e.toLowerCase()),
          phones: opts.phone ?? [],
        };
        assertServedEmails(profile, config.smtp.domains);
        // Phones register with digest auth against the SIP secret: HA1 for the realm sip.domain.
        const sip = newSipSecret(id, config.sip.domain);
        await store.users.create(profile, {
          passwordHash: opts.password ? await hashSecret(opts.password) : undefined,
          pinHash: opts.pin ? await hashSecret(opts.pin) : undefined,
          ...sip.secrets,
        });
        // As POST /users answers: the profile with the SIP secret, shown this once.
        console.log(JSON.stringify({ ...profile, sipSecret: sip.secret }, null, 2));
        return 0;
      }
      case "sip-secret": {
        const id = args[0] ?? "";
        const sip = newSipSecret(id, config.sip.domain);
        const { sipDigest, sipSecretAt } = sip.secrets;
        if (!id || !(await store.users.setSipDigest(id, sipDigest, sipSecretAt))) {
          console.error(`no user "${id}"`);
          return 1;
        }
        console.log(sip.secret);
        return 0;
      }
      case "list":
        for (const p of await store.users.list())
          console.log(`${p.id}\t${p.displayName}\t${p.emails.join(",")}`);
        return 0;
      case "show": {
        const record = args[0] ? await store.users.get(args[0]) : undefined;
        if (!record) {
          console.error(`no user "${args[0] ?? ""}"`);
          return 1;
        }
        console.log(JSON.stringify(record.profile, null, 2));
        return 0;
      }
      case "delete": {
        // The same erasure as DELETE /api/v1/users/:id; a running gateway's live sessions end at
        // their next check, as their rows are gone.
        const erased = args[0] ? await store.eraseUser(args[0]) : undefined;
        if (!erased) {
          console.error(`no user "${args[0] ?? ""}"`);
          return 1;
        }
        for (const failed of erased.audioFailed)
          console.error(`audio ${failed.audioId} not removed: ${failed.error}`);
        console.log(
          JSON.stringify({ erased: args[0], rows: erased.rows, audio: erased.audio }, null, 2),
        );
        return 0;
      }
      default:
        console.error("usage: omnivox user add|list|show|sip-secret|delete …");
        return 2;
    }
  } finally {
    await store.close();
  }
}
