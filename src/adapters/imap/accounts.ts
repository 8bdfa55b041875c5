// Which mailbox of which IMAP server a user's voicemail mail lands in (README "Single inbox"):
// the first of their email addresses in a domain with an `imap` section, opened as that user
// through the domain's Dovecot master user (`user*master`, auth_master_user_separator).

import type { Profile } from "../../core/profile.ts";
import type { MailboxAccount } from "./watcher.ts";

export interface ImapDomainOptions {
  host: string;
  port: number;
  /** TLS from the first byte (993); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  mailbox: string;
  auth: {
    masterUser: string;
    masterPassword: string;
    /** Dovecot's auth_master_user_separator. */
    separator: string;
    /** The user part of the login: the whole address, or its local part. */
    login: "address" | "localPart";
  };
}

/** The account to watch for this profile, or undefined when none of its domains has one. */
export function accountOf(
  profile: Pick<Profile, "emails">,
  domains: Readonly<Record<string, ImapDomainOptions>>,
): MailboxAccount | undefined {
  for (const email of profile.emails) {
    const at = email.lastIndexOf("@");
    const options = domains[email.slice(at + 1).toLowerCase()];
    if (at < 1 || !options) continue;
    const { auth } = options;
    const user = auth.login === "address" ? email : email.slice(0, at);
    return {
      host: options.host,
      port: options.port,
      secure: options.secure,
      mailbox: options.mailbox,
      login: `${user}${auth.separator}${auth.masterUser}`,
      password: auth.masterPassword,
    };
  }
  return undefined;
}

/** Whether a watcher opened for `a` must be replaced to watch `b`. */
export function sameAccount(a: MailboxAccount, b: MailboxAccount): boolean {
  return (
    a.host === b.host &&
    a.port === b.port &&
    a.secure === b.secure &&
    a.mailbox === b.mailbox &&
    a.login === b.login &&
    a.password === b.password
  );
}
