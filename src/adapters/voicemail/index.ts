// The voicemail system (DESIGN §1.1 "voicemail", ours): the delivery target `voicemail:<user>`
// that files converted audio as a new message; every change goes out as `mailboxChanged`.
// The store the telephone system records into is ./store.ts, built by the telephone wiring.

import type { Communication } from "../../core/communication.ts";
import type { SystemEvents } from "../../core/events.ts";
import type { System } from "../../core/ports.ts";
import type { MailboxRepos } from "../../core/repositories.ts";
import { VoicemailAdapter } from "./adapter.ts";

export interface VoicemailDeps {
  repos: Pick<MailboxRepos, "users" | "voicemail">;
  events: SystemEvents;
  /** The sender as the message's caller (an address or number). */
  callerOf(c: Communication): Promise<string | undefined>;
}

export function create(deps: VoicemailDeps): System {
  const adapter = new VoicemailAdapter({
    store: deps.repos,
    callerOf: deps.callerOf,
    changed: (userId) => deps.events.emit("mailboxChanged", userId),
  });
  return { name: "voicemail", adapters: [adapter] };
}
