// One user's mailbox on their own IMAP server (RFC 9051), kept open and watched with IDLE
// (RFC 2177) through imapflow: every change there, and every change of their voicemail box here,
// runs one round of ./reconcile.ts. Reconnects with backoff; a refused login is logged once and
// tried again slowly.

import { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { type BackoffOptions, backoffDelay } from "../../core/backoff.ts";
import type { MailboxStore } from "../../core/mailbox.ts";
import type { VoicemailRepo } from "../../core/repositories.ts";
import { findElsewhere, OurMails } from "./mails.ts";
import { type Agreed, reconcile, type SyncAction, type VoicemailSide } from "./reconcile.ts";

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
  #mails = new OurMails();
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
    const mails = await this.#mails.read(client);
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
   * connection so the first stays in IDLE. A failure throws, and nothing is deleted while unsure.
   */
  async #filedElsewhere(communicationId: string): Promise<boolean> {
    const client = this.#newClient();
    await client.connect();
    try {
      const found = await findElsewhere(client, this.account.mailbox, communicationId);
      if (!found) return false;
      this.#log.info(
        { folder: found.folder, communicationId },
        found.trash
          ? "imap: a voicemail's mail was moved to the trash; the voicemail is deleted"
          : "imap: a voicemail's mail was filed in another folder; the voicemail is kept",
      );
      return !found.trash;
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
