// Unsolicited message-summary NOTIFYs (no subscription; RFC 3842 §3 leaves them to local policy):
// accepted only from the hosts of the `sip` voicemail systems some profile names (others get
// 403) — over UDP only with that host's digest credentials (notify-auth.ts) — and matched to the
// system by the body's Message-Account, else the Request-URI's user.

import type { Logger } from "pino";
import type { VoicemailSystem } from "../../core/profile.ts";
import type { MessageSummary } from "../../protocols/mwi/index.ts";
import type { IncomingRequest } from "../../protocols/sip/endpoint.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import { readNotify } from "../../protocols/sip/usage/mwi/notify-read.ts";
import { bare, type HostAllowList } from "./host-allow.ts";
import type { NotifyAuth } from "./notify-auth.ts";

export type SipSystem = Extract<VoicemailSystem, { kind: "sip" }>;

export interface Watched {
  userId: string;
  system: SipSystem;
  enabled: boolean;
}

export interface UnsolicitedDeps {
  allow: HostAllowList;
  /** Proves the host beyond its (forgeable) UDP source address. */
  auth: NotifyAuth;
  /** Every sip system of every synced profile, MWI on or off. */
  systems(): Iterable<Watched>;
  summary(w: Watched, summary: MessageSummary, warnings: string[], receivedAt: Date): void;
  logger: Logger;
}

export async function handleUnsolicited(
  req: IncomingRequest,
  deps: UnsolicitedDeps,
): Promise<void> {
  const m = req.message;
  const from = req.source.host;
  const hosts = await deps.allow.hostsOf(from);
  if (hosts.length === 0) {
    deps.logger.info({ from }, "legacy voicemail: NOTIFY from a host no profile names, 403");
    req.transaction.respond(403, "Forbidden");
    return;
  }
  if (!(await deps.auth.admit(req, hosts))) return;
  const read = readNotify(m, false);
  if (!read.ok) {
    deps.logger.warn({ from, error: read.error }, "legacy voicemail: unsolicited NOTIFY refused");
    req.transaction.refuse(read);
    return;
  }
  const matches = match([...deps.systems()], hosts, read.summary?.account, m.uri);
  if (matches.length === 0) {
    deps.logger.info({ from, uri: m.uri }, "legacy voicemail: NOTIFY for no known mailbox, 481");
    req.transaction.respond(481, "Subscription Does Not Exist");
    return;
  }
  req.transaction.respond(200, "OK");
  const summary = read.summary;
  if (!summary) return;
  const at = new Date();
  // A system switched off still gets its 200 (the box keeps sending), but nothing is reported.
  for (const w of matches) if (w.enabled) deps.summary(w, summary, read.warnings, at);
}

/** The systems on `hosts` whose mailbox the account URI (or the Request-URI's user) names. */
function match(
  systems: Watched[],
  hosts: string[],
  account: string | undefined,
  requestUri: string,
): Watched[] {
  const acc = account === undefined ? null : parseUri(account);
  const user = parseUri(requestUri)?.user;
  return systems.filter((w) => {
    const box = parseUri(w.system.uri);
    if (!box || !hosts.includes(bare(box.host))) return false;
    if (acc) {
      const sameHost = bare(acc.host) === bare(box.host) || hosts.includes(bare(acc.host));
      return acc.user === box.user && sameHost;
    }
    return user !== undefined && user === box.user;
  });
}
