// Message-waiting state and the voicemail indicator message (README "Message waiting"): one
// state per (user, voicemail system), the per-user aggregate, and the indicator each IM client
// receives. Pure: the gateway's MWI service stores and delivers what these functions compute.

import type { ImClient, MwiPreferences, Profile, VoicemailSystem } from "./profile.ts";

export interface MwiCounts {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
}

/**
 * The called/calling station of the last message a voicemail system reported (README "Message
 * waiting").
 */
export interface LastCaller {
  ani?: string;
  dnis?: string;
  at: Date;
}

/** What a source (our store, a SIP MWI subscription, an SMDI link) reports for one system. */
export interface MwiReport {
  counts: MwiCounts;
  /** Given when the source knows who left the newest message; kept from before otherwise. */
  lastCaller?: LastCaller;
}

export interface MwiSystemState extends MwiCounts {
  systemId: string;
  kind: VoicemailSystem["kind"];
  enabled: boolean;
  lastCaller?: LastCaller;
  updatedAt: Date;
}

export const ZERO_COUNTS: Readonly<MwiCounts> = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };

export interface MwiAggregate {
  /** Sums over the enabled systems only: a switched-off system does not light the lamp. */
  total: MwiCounts;
  /** The most recent caller over the enabled systems, with the system that reported it. */
  lastCaller?: LastCaller & { systemId: string };
}

export function aggregate(states: readonly MwiSystemState[]): MwiAggregate {
  const total: MwiCounts = { ...ZERO_COUNTS };
  let lastCaller: MwiAggregate["lastCaller"];
  for (const s of states) {
    if (!s.enabled) continue;
    total.new += s.new;
    total.old += s.old;
    total.urgentNew += s.urgentNew;
    total.urgentOld += s.urgentOld;
    if (s.lastCaller && (!lastCaller || s.lastCaller.at > lastCaller.at)) {
      lastCaller = { ...s.lastCaller, systemId: s.systemId };
    }
  }
  return lastCaller ? { total, lastCaller } : { total };
}

/** True when the counts a report carries differ from the stored state (or the caller does). */
export function changes(state: MwiSystemState | undefined, report: MwiReport): boolean {
  if (!state) return true;
  const c = report.counts;
  if (
    c.new !== state.new ||
    c.old !== state.old ||
    c.urgentNew !== state.urgentNew ||
    c.urgentOld !== state.urgentOld
  )
    return true;
  const a = report.lastCaller;
  const b = state.lastCaller;
  if (!a) return false;
  return !b || a.at.getTime() !== b.at.getTime() || a.ani !== b.ani || a.dnis !== b.dnis;
}

/** One voicemail system's field group in an indicator or in GET /users/:id/mwi (JSON dates). */
export interface SystemFields extends MwiCounts {
  id: string;
  kind: VoicemailSystem["kind"];
  enabled: boolean;
  lastCaller?: { ani?: string; dnis?: string; at: string };
}

/**
 * The voicemail indicator message (docs/mwi-indicator.md): wire form shared by the web stream (`type:
 * "mwi"`) and the XMPP element `<mwi xmlns="urn:omnivox:mwi:1">` (docs/mwi-indicator.md).
 */
export interface VoicemailIndicator {
  /** Identification field: the IM client this indicator is for. */
  client: { id: string; kind: ImClient["kind"]; jid?: string };
  userId: string;
  /** Increases with every change of the user's state; a client drops an older one it sees late. */
  version: number;
  total: MwiCounts;
  /** One field group per voicemail system named in the profile, in profile order. */
  systems: SystemFields[];
  lastCaller?: { systemId: string; ani?: string; dnis?: string; at: string };
  supplemental?: { timestamp?: string; text?: string };
}

/**
 * The states of the profile's systems, in profile order; a system with no stored state yet
 * counts zero and is enabled (the profile's default). States of systems the profile no longer
 * names are left out.
 */
export function statesForProfile(
  profile: Profile,
  stored: readonly MwiSystemState[],
  now: Date,
): MwiSystemState[] {
  const byId = new Map(stored.map((s) => [s.systemId, s]));
  return profile.voicemailSystems.map(
    (system) =>
      byId.get(system.id) ?? {
        systemId: system.id,
        kind: system.kind,
        enabled: true,
        ...ZERO_COUNTS,
        updatedAt: now,
      },
  );
}

export function indicatorFor(
  profile: Profile,
  client: ImClient,
  states: readonly MwiSystemState[],
  version: number,
  now: Date,
): VoicemailIndicator {
  const agg = aggregate(states);
  const indicator: VoicemailIndicator = {
    client: client.kind === "xmpp" ? { id: client.id, kind: "xmpp", jid: client.jid } : client,
    userId: profile.id,
    version,
    total: agg.total,
    systems: states.map((s) => ({
      id: s.systemId,
      kind: s.kind,
      enabled: s.enabled,
      new: s.new,
      old: s.old,
      urgentNew: s.urgentNew,
      urgentOld: s.urgentOld,
      ...(s.lastCaller ? { lastCaller: callerJson(s.lastCaller) } : {}),
    })),
  };
  if (agg.lastCaller)
    indicator.lastCaller = { systemId: agg.lastCaller.systemId, ...callerJson(agg.lastCaller) };
  const supplemental = supplementalOf(profile.mwi, now);
  if (supplemental) indicator.supplemental = supplemental;
  return indicator;
}

function callerJson(c: LastCaller): { ani?: string; dnis?: string; at: string } {
  return {
    ...(c.ani !== undefined ? { ani: c.ani } : {}),
    ...(c.dnis !== undefined ? { dnis: c.dnis } : {}),
    at: c.at.toISOString(),
  };
}

function supplementalOf(prefs: MwiPreferences, now: Date): VoicemailIndicator["supplemental"] {
  const out: NonNullable<VoicemailIndicator["supplemental"]> = {};
  if (prefs.supplemental.timestamp) out.timestamp = now.toISOString();
  if (prefs.supplemental.text) out.text = prefs.supplemental.text;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One readable line for chat clients that ignore our element (docs/mwi-indicator.md, XMPP body). */
export function indicatorText(ind: VoicemailIndicator): string {
  const plural = (n: number, word: string) => `${n} ${word}`;
  const head = `Voicemail: ${plural(ind.total.new, "new")}, ${plural(ind.total.old, "old")}`;
  const parts = ind.systems.map((s) => (s.enabled ? `${s.id} ${s.new}/${s.old}` : `${s.id} off`));
  let line = `${head} (${parts.join("; ")})`;
  if (ind.lastCaller) {
    const who = ind.lastCaller.ani ?? "unknown caller";
    const to = ind.lastCaller.dnis ? ` to ${ind.lastCaller.dnis}` : "";
    line += ` — last from ${who}${to} at ${ind.lastCaller.at}`;
  }
  if (ind.supplemental?.text) line += ` — ${ind.supplemental.text}`;
  if (ind.supplemental?.timestamp) line += ` [${ind.supplemental.timestamp}]`;
  return line;
}
