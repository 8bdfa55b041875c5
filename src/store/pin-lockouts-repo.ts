// The voicemail PIN lockout's state per mailbox (core/pin-lockout.ts PinLockStore) in the
// database, so a locked mailbox stays locked across a restart and a ban keeps growing.

import type { PinLockRecord, PinLockStore } from "../core/pin-lockout.ts";
import type { Database } from "./database.ts";
import type { PinLockoutRow } from "./schema/index.ts";

function callersOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export class SqlPinLockoutsRepo implements PinLockStore {
  constructor(private readonly database: Database) {}

  async get(mailbox: string): Promise<PinLockRecord | undefined> {
    const row = await this.database.db
      .selectFrom("pin_lockouts")
      .selectAll()
      .where("user_id", "=", mailbox)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      failures: Number(row.failures),
      windowStart: Number(row.window_start),
      strikes: Number(row.strikes),
      bannedUntil: Number(row.banned_until),
      lastFailure: Number(row.last_failure),
      callers: callersOf(row.callers),
    };
  }

  async put(mailbox: string, record: PinLockRecord): Promise<void> {
    const values: Omit<PinLockoutRow, "user_id"> = {
      failures: record.failures,
      window_start: record.windowStart,
      strikes: record.strikes,
      banned_until: record.bannedUntil,
      last_failure: record.lastFailure,
      callers: JSON.stringify(record.callers),
    };
    await this.database.db
      .insertInto("pin_lockouts")
      .values({ user_id: mailbox, ...values })
      .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
      .execute();
  }

  async delete(mailbox: string): Promise<void> {
    await this.database.db.deleteFrom("pin_lockouts").where("user_id", "=", mailbox).execute();
  }
}
