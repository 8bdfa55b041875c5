// The voicemail system (docs/architecture.md "Systems and conversions" "voicemail", ours): the
// delivery target `voicemail:<user>` that files converted audio as a new message; every change goes
// out as `mailboxChanged`. Its store (./store.ts) is the mailbox port the telephone system records
// into and plays from.

import type { Communication } from "../../core/communication.ts";
import type { SystemEvents } from "../../core/events.ts";
import type { Gateway, System } from "../../core/ports.ts";
import type { MailboxRepos } from "../../core/repositories.ts";
import { VoicemailAdapter } from "./adapter.ts";
import { VoicemailStore } from "./store.ts";

export interface VoicemailOptions {
  /** Our SIP domain: the host of a caller's address when the ANI is not a number. */
  sipDomain: string;
}

export interface VoicemailDeps {
  repos: MailboxRepos;
  gateway: Gateway;
  events: SystemEvents;
  /** The sender as the message's caller (an address or number). */
  callerOf(c: Communication): Promise<string | undefined>;
  /** Checks a PIN against its stored hash. */
  verifySecret(plain: string, hash: string): Promise<boolean>;
}

export interface Voicemail extends System {
  /** The mailbox port (core/mailbox.ts) for the telephone system. */
  readonly mailboxes: VoicemailStore;
}

export function create(opts: VoicemailOptions, deps: VoicemailDeps): Voicemail {
  const changed = (userId: string) => deps.events.emit("mailboxChanged", userId);
  const adapter = new VoicemailAdapter({ store: deps.repos, callerOf: deps.callerOf, changed });
  const mailboxes = new VoicemailStore(
    deps.repos,
    deps.gateway,
    opts.sipDomain,
    changed,
    deps.verifySecret,
  );
  return { name: "voicemail", adapters: [adapter], mailboxes };
}
