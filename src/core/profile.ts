// A user's profile (README "The outside contract"): the numbers and addresses that reach the user,
// the voicemail systems to watch, the IM clients to notify, and the routes that choose targets.
// These are the plain types; the wire schema (http/schemas/profile.ts) is checked to equal them.

import type { Address } from "./address.ts";
import type { SystemKind } from "./system.ts";

export type VoicemailSystem =
  | { id: string; kind: "internal" }
  | { id: string; kind: "sip"; uri: string; depositUri?: string }
  | { id: string; kind: "smdi"; link: string; station: string; depositUri?: string };

export type ImClient = { id: string; kind: "web" } | { id: string; kind: "xmpp"; jid: string };

/** Where an IM client of the user is reached: routes deliver there, the MWI service too. */
export function imClientAddress(userId: string, client: ImClient): Address {
  return client.kind === "web"
    ? { scheme: "web", userId, clientId: client.id }
    : { scheme: "xmpp", jid: client.jid };
}

/**
 * The form a JID is compared in when asking who owns it: bare (RFC 6120 §1.4, no resource) and
 * lower case (localpart and domainpart are case-insensitive for every JID a user would type).
 */
export function jidKey(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash < 0 ? jid : jid.slice(0, slash)).trim().toLowerCase();
}

/** The bare JIDs of a profile's XMPP clients, each once (jidKey form). */
export function profileJids(profile: Pick<Profile, "imClients">): string[] {
  const jids = profile.imClients.flatMap((c) => (c.kind === "xmpp" ? [jidKey(c.jid)] : []));
  return [...new Set(jids)];
}

/** Targets a route may name by kind, resolved against the profile by the router. */
export const ROUTE_TARGETS = [
  "email",
  "im",
  "voicemail",
  "pstn",
  "cellular",
  "legacy-voicemail",
] as const;

/** A route target naming one webhook of the configuration (`webhooks[].id`): `webhook:ops`. */
export type WebhookTarget = `webhook:${string}`;

export type RouteTarget = (typeof ROUTE_TARGETS)[number] | WebhookTarget;

export function isWebhookTarget(target: RouteTarget): target is WebhookTarget {
  return target.startsWith("webhook:");
}

/** The webhook id a webhook route target names. */
export function webhookIdOf(target: WebhookTarget): string {
  return target.slice("webhook:".length);
}

/**
 * The audio formats a route may ask for voicemail in (mail attachments and audio links): WAV as
 * recorded, or re-encoded as MP3 or Ogg Vorbis (media/compressed.ts).
 */
export const AUDIO_FORMATS = ["wav", "mp3", "ogg"] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** What each format is called on the wire and in a file name. */
export const AUDIO_FORMAT_FILES: Record<AudioFormat, { contentType: string; extension: string }> = {
  wav: { contentType: "audio/wav", extension: "wav" },
  mp3: { contentType: "audio/mpeg", extension: "mp3" },
  ogg: { contentType: "audio/ogg", extension: "ogg" },
};

export interface Route {
  /** The system the communication arrived from, or "*" for any. */
  from: SystemKind | "*";
  to: RouteTarget[];
  transcribe?: boolean;
  audioFormat?: AudioFormat;
  voice?: string;
  language?: string;
}

export interface MwiPreferences {
  enabled: boolean;
  supplemental: { timestamp: boolean; text?: string };
  /**
   * What MWI NOTIFY to the user's own SIP phones counts: our store ("internal", the default) or
   * the aggregate of every enabled voicemail system ("all"), so one lamp covers them all.
   */
  phones?: "internal" | "all";
}

/** The user's own voicemail store (README "Retention and erasure"). */
export interface VoicemailPreferences {
  /** Days a message is kept; only fewer than `voicemail.retentionDays` of the config. */
  retentionDays?: number;
}

export interface Profile {
  id: string;
  displayName: string;
  phones: string[];
  emails: string[];
  voicemailSystems: VoicemailSystem[];
  imClients: ImClient[];
  routes: Route[];
  mwi: MwiPreferences;
  voicemail?: VoicemailPreferences;
}

/** What a new profile holds when the admin leaves a field out: one web client, our own store. */
export function defaultProfile(id: string, displayName = id): Profile {
  return {
    id,
    displayName,
    phones: [],
    emails: [],
    voicemailSystems: [{ id: "internal", kind: "internal" }],
    imClients: [{ id: "web", kind: "web" }],
    routes: [],
    mwi: { enabled: true, supplemental: { timestamp: true } },
  };
}
