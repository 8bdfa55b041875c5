// The single inbox (README "Single inbox"), as Exchange UM and Unity had it: the voicemail mails in
// each user's mailbox on their own IMAP server are watched, and reading, flagging or deleting one
// there saves or deletes the voicemail here (MWI follows); saving or deleting it here sets
// `\Seen` on, or expunges, the mail there.

import type { Logger } from "pino";
import type { SystemEvents } from "../../core/events.ts";
import { KeyedLock } from "../../core/keyed-lock.ts";
import type { MailboxStore } from "../../core/mailbox.ts";
import type { LinkOwnership, System } from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import type { UsersRepo, VoicemailRepo } from "../../core/repositories.ts";
import { accountOf, type ImapDomainOptions, sameAccount } from "./accounts.ts";
import { MailboxWatcher, type RetryTiming } from "./watcher.ts";

export type { ImapDomainOptions } from "./accounts.ts";

export interface ImapOptions extends RetryTiming {
  /** By the (lower-case) domain of the users' email addresses. */
  domains: Record<string, ImapDomainOptions>;
  /** How often the users are read again for new, changed and removed addresses. */
  rescanMs: number;
}

export interface ImapDeps {
  /** The voicemail store's mailbox port: saves and deletes report the change (MWI). */
  mailboxes: Pick<MailboxStore, "markSaved" | "delete">;
  voicemail: Pick<VoicemailRepo, "list">;
  users: Pick<UsersRepo, "list" | "get">;
  events: SystemEvents;
  logger: Logger;
  /** In a cluster: the mailboxes are watched by the node holding the `imap` lease. */
  ownership?: LinkOwnership;
}

export interface Imap extends System {
  /** The users whose mailbox is watched now. */
  watching(): string[];
}

export function create(opts: ImapOptions, deps: ImapDeps): Imap {
  const watchers = new Map<string, MailboxWatcher>();
  const offs: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const lock = new KeyedLock();
  /** Watching now; in a cluster only on the node holding the `imap` lease. */
  let active = false;
  /** Each activation's own count, so a rescan of an earlier one does not start a second loop. */
  let generation = 0;

  /** Starts, replaces or ends the user's watcher as their profile says (one at a time). */
  const place = async (userId: string, profile: Profile | undefined): Promise<void> => {
    if (!active) return;
    const account = profile ? accountOf(profile, opts.domains) : undefined;
    const current = watchers.get(userId);
    if (current && account && sameAccount(current.account, account)) return;
    if (current) {
      watchers.delete(userId);
      await current.stop();
      if (!account) deps.logger.info({ userId, component: "imap" }, "imap: no longer watching");
    }
    if (!account || !active) return;
    const watcher = new MailboxWatcher(userId, account, opts, deps);
    watchers.set(userId, watcher);
    watcher.start();
  };
  const follow = (userId: string): Promise<void> =>
    lock.run(userId, async () => place(userId, (await deps.users.get(userId))?.profile));
  const followAll = async (): Promise<void> => {
    const profiles = new Map((await deps.users.list()).map((p) => [p.id, p]));
    // Users removed since are in `watchers` only: their watchers end.
    const ids = new Set([...profiles.keys(), ...watchers.keys()]);
    for (const userId of ids) await lock.run(userId, () => place(userId, profiles.get(userId)));
  };
  const failed = (err: unknown) =>
    deps.logger.error({ err, component: "imap" }, "imap: cannot read the users to watch");

  const activate = async (): Promise<void> => {
    if (active) return;
    active = true;
    const mine = ++generation;
    try {
      await followAll();
    } catch (err) {
      // Not started: a cluster gives the lease back, a single node fails its start.
      active = false;
      throw err;
    }
    offs.push(
      deps.events.on("mailboxChanged", (userId) => {
        const watcher = watchers.get(userId);
        // A user's first voicemail also tells us of a user created since the last scan.
        if (watcher) watcher.changed();
        else follow(userId).catch(failed);
      }),
      deps.events.on("profileChanged", (userId) => void follow(userId).catch(failed)),
      deps.events.on("profileEdited", (userId) => void follow(userId).catch(failed)),
    );
    const rescan = () => {
      timer = setTimeout(
        () =>
          followAll()
            .catch(failed)
            .finally(() => active && mine === generation && rescan()),
        opts.rescanMs,
      );
      timer.unref();
    };
    rescan();
  };
  const deactivate = async (): Promise<void> => {
    if (!active) return;
    active = false;
    clearTimeout(timer);
    for (const off of offs.splice(0)) off();
    await Promise.all([...watchers.values()].map((w) => w.stop()));
    watchers.clear();
  };

  return {
    name: "imap",
    watching: () => [...watchers.keys()],
    async start() {
      // One node watches the mailboxes of a cluster: a second IDLE connection per user and node
      // would only repeat the same changes (the lease moves to a survivor when that node dies).
      if (deps.ownership) deps.ownership.own("imap", { start: activate, stop: deactivate });
      else await activate();
      return {};
    },
    stop: deactivate,
  };
}
