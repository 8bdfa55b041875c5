// One user's mailbox on their own IMAP server (RFC 9051), kept open and watched with IDLE
// (RFC 2177) through imapflow: every change there, and every change of their voicemail box here,
// runs one round of ./reconcile.ts. Reconnects with backoff; a refused login is logged once and
// tried again slowly.

import { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { z } from "zod";
import { type BackoffOptions, backoffDelay } from "../../core/backoff.ts";
import { COMMUNICATION_HEADER } from "../../core/communication.ts";
import type { MailboxStore } from "../../core/mailbox.ts";
import type { VoicemailRepo } from "../../core/repositories.ts";
import {
  type Agreed,
  type MailSide,
  reconcile,
  type SyncAction,
  type VoicemailSide,
} from "./reconcile.ts";

/** Where and as whom one user's mailbox is opened. */
export interface MailboxAccount {
  host: string;
  port: number;
  secure: boolean;
  mailbox: string;
  /** The login (for a Dovecot master user `user*master`). */
  login: string;
  password: string;
}

export interface RetryTiming {
  retryMinMs: number;
  retryMaxMs: number;
  /** The wait after a refused login: a wrong password does not get right by trying often. */
  authRetryMs: number;
}

export interface WatcherDeps {
  mailboxes: Pick<MailboxStore, "markSaved" | "delete">;
  voicemail: Pick<VoicemailRepo, "list">;
  logger: Logger;
}

const IDLE_AFTER_MS = 300;
/** A connection that lasted this long was no failure: the backoff starts again after it. */
const STABLE_MS = 30_000;
/** A SEARCH answer of 500 000 UIDs fits. */
export const MAX_LINE_BYTES = 4 << 20;
const MAX_LITERAL_BYTES = 64 << 10;

/** A communication id as we write it; anything else in the header is not ours. */
const headerValue = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .optional();

const HEADER_LINE = new RegExp(`^${COMMUNICATION_HEADER}:[ \\t]*([^\\r\\n]*)`, "im");

/** The communication id in the header block imapflow fetched, when it is one of ours. */
export function communicationIdOf(headers: Buffer | undefined): string | undefined {
  const parsed = headerValue.safeParse(HEADER_LINE.exec(headers?.toString("latin1") ?? "")?.[1]);
  return parsed.success ? parsed.data?.trim() : undefined;
}

function isAuthFailure(err: unknown): boolean {
  return typeof err === "object" && err !== null && "authenticationFailed" in err;
}

function messageOf(err: unknown): string {
  const e = err as { responseText?: unknown; code?: unknown; message?: unknown };
  return String(e.responseText ?? e.code ?? e.message ?? err);
}

export class MailboxWatcher {
  /** Kept across reconnects: a change made while the connection was down is still a change. */
  #agreed = new Map<string, Agreed>();
  /** The communication id in each UID's header (null: none of ours), for `#uidValidity`. */
  #ids = new Map<number, string | null>();
  #uidValidity: bigint | undefined;
  /** The connection the rounds use: open, its mailbox selected. */
  #client: ImapFlow | undefined;
  /** The connection being opened or open, for stop() to close. */
  #current: ImapFlow | undefined;
  #stopped = false;
  #running: Promise<void> | undefined;
  #syncing = false;
  #dirty = false;
  #wake: (() => void) | undefined;
  readonly #log: Logger;

  constructor(
    readonly userId: string,
    readonly account: MailboxAccount,
    private readonly retry: RetryTiming,
    private readonly deps: WatcherDeps,
  ) {
    this.#log = deps.logger.child({
      component: "imap",
      userId,
      server: `${account.host}:${account.port}`,
      login: account.login,
    });
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Something changed on one side: one more round once connected (rounds never overlap). */
  changed(): void {
    const client = this.#client;
    if (!client || this.#stopped) return;
    if (this.#syncing) {
      this.#dirty = true;
      return;
    }
    this.#syncing = true;
    void (async () => {
      try {
        do {
          this.#dirty = false;
          await this.#round(client);
        } while (this.#dirty && this.#client === client);
      } catch (err) {
        // A round cut short by a dropped connection is run again after the reconnect.
        this.#log.warn({ err: messageOf(err) }, "imap: sync failed; reconnecting");
        client.close();
      } finally {
        this.#syncing = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    const client = this.#current;
    if (client) await client.logout().catch(() => client.close());
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    let refused = false;
    let down = false;
    while (!this.#stopped) {
      const client = this.#newClient();
      this.#current = client;
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      let delay: number;
      try {
        await client.connect();
        await client.mailboxOpen(this.account.mailbox);
        if (this.#stopped) throw new Error("stopped");
        if (down) this.#log.info("imap: connected again");
        else this.#log.info({ mailbox: this.account.mailbox }, "imap: watching the mailbox");
        down = false;
        refused = false;
        const openedAt = Date.now();
        for (const event of ["exists", "expunge", "flags"]) client.on(event, () => this.changed());
        this.#client = client;
        this.changed();
        await closed;
        this.#client = undefined;
        if (this.#stopped) break;
        down = true;
        // A server that takes the login and drops the connection at once keeps backing off.
        failures = Date.now() - openedAt >= STABLE_MS ? 1 : failures + 1;
        this.#log[failures === 1 ? "warn" : "debug"](
          { failures },
          "imap: the server closed the connection; reconnecting",
        );
        delay = backoffDelay(failures, this.#backoff());
      } catch (err) {
        this.#client = undefined;
        client.close();
        if (this.#stopped) break;
        down = true;
        if (isAuthFailure(err)) {
          if (!refused)
            this.#log.error(
              { retryMs: this.retry.authRetryMs, reason: messageOf(err) },
              `imap: the server refused the login "${this.account.login}": check masterUser and masterPassword of imap.domains, and that Dovecot has auth_master_user_separator and the master passdb; tried again every ${this.retry.authRetryMs} ms`,
            );
          refused = true;
          delay = this.retry.authRetryMs;
        } else {
          failures += 1;
          // The first failure of a streak is worth a warning; the retries that follow are not.
          this.#log[failures === 1 ? "warn" : "debug"](
            { err: messageOf(err), failures },
            "imap: cannot open the mailbox; retrying with backoff",
          );
          delay = backoffDelay(failures, this.#backoff());
        }
      }
      await this.#sleep(delay);
    }
    this.#current = undefined;
  }

  #newClient(): ImapFlow {
    const client = new ImapFlow({
      host: this.account.host,
      port: this.account.port,
      secure: this.account.secure,
      auth: { user: this.account.login, pass: this.account.password },
      logger: false,
      clientInfo: { name: "omnivox" },
      // The server tells of changes only while we IDLE: back in IDLE soon after a round (a
      // round's commands come back to back, well within this).
      autoIdleDelay: IDLE_AFTER_MS,
      // What we read is flags, one header and SEARCH answers: a server sending more than
      // this is broken or hostile, and the connection fails rather than fill memory.
      maxLineLength: MAX_LINE_BYTES,
      maxLiteralSize: MAX_LITERAL_BYTES,
      maxResponseSize: MAX_LINE_BYTES + MAX_LITERAL_BYTES,
    });
    client.on("error", (err: unknown) => this.#log.debug({ err: messageOf(err) }, "imap: error"));
    return client;
  }

  #backoff(): BackoffOptions {
    return { initialDelayMs: this.retry.retryMinMs, maxDelayMs: this.retry.retryMaxMs };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Reads both sides, plans, and carries out the plan. */
  async #round(client: ImapFlow): Promise<void> {
    const mails = await this.#readMails(client);
    const voicemails = new Map<string, VoicemailSide>();
    for (const v of await this.deps.voicemail.list(this.userId)) {
      if (v.communicationId) voicemails.set(v.communicationId, { id: v.id, state: v.state });
    }
    const plan = reconcile(this.#agreed, mails, voicemails);
    this.#log.debug(
      { mails: mails.size, voicemails: voicemails.size, actions: plan.actions.length },
      "imap: sync round",
    );
    let done = true;
    for (const action of plan.actions) {
      if (action.kind === "mailGone" && (await this.#filedElsewhere(action.communicationId))) {
        // Not a deletion: the voicemail stays, unpaired (only the watched mailbox is synced).
        plan.agreed.set(action.communicationId, { mail: false, voicemail: true, read: false });
        continue;
      }
      done = (await this.#apply(client, action)) && done;
    }
    // The echo of our own change (a FETCH after our STORE, the mailboxChanged after our save)
    // runs the next round, never this one, so it finds this agreement and nothing new. A round
    // that could not change the store keeps the old one and is planned again (every action is
    // idempotent).
    if (done) this.#agreed = plan.agreed;
  }

  /**
   * Our mails by SEARCH HEADER, with their flags. A UID's header never changes while the
   * mailbox keeps its UIDVALIDITY (RFC 9051 §2.3.1.1), so it is fetched once; each round then
   * fetches only the flags.
   */
  async #readMails(client: ImapFlow): Promise<Map<string, MailSide>> {
    const mails = new Map<string, MailSide>();
    const validity = client.mailbox ? client.mailbox.uidValidity : undefined;
    if (validity !== this.#uidValidity) this.#ids.clear();
    this.#uidValidity = validity;
    const found = await client.search({ header: { [COMMUNICATION_HEADER]: true } }, { uid: true });
    const uids = found || [];
    const ids = new Map<number, string | null>();
    const unknown: number[] = [];
    for (const uid of uids) {
      const id = this.#ids.get(uid);
      if (id === undefined) unknown.push(uid);
      else ids.set(uid, id);
    }
    if (unknown.length > 0) {
      const query = { uid: true, headers: [COMMUNICATION_HEADER] };
      for (const m of await client.fetchAll(unknown, query, { uid: true }))
        ids.set(m.uid, communicationIdOf(m.headers) ?? null);
    }
    // Expunged UIDs are forgotten with the search that no longer finds them.
    this.#ids = ids;
    if (uids.length === 0) return mails;
    for (const m of await client.fetchAll(uids, { uid: true, flags: true }, { uid: true })) {
      const id = ids.get(m.uid);
      if (!id) continue;
      const flags = m.flags ?? new Set<string>();
      const side = mails.get(id) ?? { uids: [], seen: false, flagged: false, deleted: true };
      side.uids.push(m.uid);
      side.seen ||= flags.has("\\Seen");
      side.flagged ||= flags.has("\\Flagged");
      side.deleted &&= flags.has("\\Deleted");
      mails.set(id, side);
    }
    return mails;
  }

  /** False when the store refused; an IMAP failure throws (the connection is suspect). */
  async #apply(client: ImapFlow, action: SyncAction): Promise<boolean> {
    this.#log.info({ action }, "imap: single inbox change");
    switch (action.kind) {
      case "markSaved":
        return this.#store(() => this.deps.mailboxes.markSaved(this.userId, action.voicemailId));
      case "deleteVoicemail":
      case "mailGone":
        return this.#store(() => this.deps.mailboxes.delete(this.userId, action.voicemailId));
      case "setSeen":
        await client.messageFlagsAdd(action.uids, ["\\Seen"], { uid: true });
        return true;
      case "deleteMail":
        // \Deleted, then UID EXPUNGE of just these (RFC 4315) where the server has UIDPLUS.
        await client.messageDelete(action.uids, { uid: true });
        return true;
    }
  }

  /**
   * Whether a mail that left the watched mailbox was filed in another folder, on a second
   * connection so the first stays in IDLE: a mail in the trash (RFC 6154 `\\Trash`) or nowhere
   * was deleted. A failure throws, and nothing is deleted while unsure.
   */
  async #filedElsewhere(communicationId: string): Promise<boolean> {
    const client = this.#newClient();
    await client.connect();
    try {
      const watched = this.account.mailbox.toUpperCase();
      for (const box of await client.list()) {
        if (box.path.toUpperCase() === watched || box.flags.has("\\Noselect")) continue;
        await client.mailboxOpen(box.path, { readOnly: true });
        const query = { header: { [COMMUNICATION_HEADER]: communicationId } };
        const uids = await client.search(query, { uid: true });
        if (!uids || uids.length === 0) continue;
        const trash = box.specialUse === "\\Trash";
        this.#log.info(
          { folder: box.path, communicationId },
          trash
            ? "imap: a voicemail's mail was moved to the trash; the voicemail is deleted"
            : "imap: a voicemail's mail was filed in another folder; the voicemail is kept",
        );
        return !trash;
      }
      return false;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async #store(change: () => Promise<void>): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (err) {
      this.#log.error({ err }, "imap: cannot change the voicemail; tried again at the next change");
      return false;
    }
  }
}
