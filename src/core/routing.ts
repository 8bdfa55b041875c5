// The router's decision, as a pure function: which targets a communication goes to, from the user's
// profile routes (docs/architecture.md "Systems and conversions"; defaults: voicemail → email + im,
// email → im, im → email). No I/O and no protocol knowledge beyond address schemes.

import { type Address, formatAddress } from "./address.ts";
import type { Communication } from "./communication.ts";
import {
  imClientAddress,
  isWebhookTarget,
  type Profile,
  type Route,
  type RouteTarget,
  webhookIdOf,
} from "./profile.ts";
import type { SystemKind } from "./system.ts";

const DEFAULT_TARGETS: Record<SystemKind, RouteTarget[]> = {
  voicemail: ["email", "im"],
  pstn: ["email", "im"],
  cellular: ["email", "im"],
  "legacy-voicemail": ["email", "im"],
  icw: ["email", "im"],
  email: ["im"],
  im: ["email"],
  // Push only: nothing arrives from a webhook.
  webhook: [],
};

/**
 * How a routed communication is rendered: the options of the route that matched it, decided
 * once at receive and stored with each delivery, so a later profile edit does not change how a
 * message already routed is rendered.
 */
export type RouteOptions = Pick<Route, "transcribe" | "audioFormat" | "voice" | "language">;

export interface PlannedTarget {
  address: Address;
  /** The options of the route that chose it ({} for an outbound communication's own address). */
  options: RouteOptions;
}

export interface RoutePlan {
  targets: PlannedTarget[];
  /** The options of the matched route ({} when none applies): also those of added targets. */
  options: RouteOptions;
  /** Route targets that could not be resolved against the profile (no email address, …). */
  skipped: string[];
}

/** The route for a system: the first whose `from` is that kind, else the first "*", else the default. */
export function routeFor(kind: SystemKind, profile: Pick<Profile, "routes">): Route {
  return (
    profile.routes.find((r) => r.from === kind) ??
    profile.routes.find((r) => r.from === "*") ?? { from: kind, to: DEFAULT_TARGETS[kind] }
  );
}

/** The rendering options of a route, without its targets (absent options stay absent). */
export function optionsOf(route: Route): RouteOptions {
  const options: RouteOptions = {};
  if (route.transcribe !== undefined) options.transcribe = route.transcribe;
  if (route.audioFormat !== undefined) options.audioFormat = route.audioFormat;
  if (route.voice !== undefined) options.voice = route.voice;
  if (route.language !== undefined) options.language = route.language;
  return options;
}

/** Speech-to-text is on unless the route says `transcribe: false`. */
export function transcribes(options: RouteOptions): boolean {
  return options.transcribe !== false;
}

/**
 * Whether a call of this kind is transcribed while it is recorded: the call-time side of the
 * same match receive makes (routeFor), so the call and its renditions agree.
 */
export function wantsTranscript(kind: SystemKind, profile: Profile): boolean {
  return transcribes(optionsOf(routeFor(kind, profile)));
}

function resolveTarget(target: RouteTarget, profile: Profile): Address[] {
  // The id is checked against the configuration when the profile is saved; one removed from it
  // since fails its delivery naming the id (adapters/webhook), which the user can see.
  if (isWebhookTarget(target)) return [{ scheme: "webhook", id: webhookIdOf(target) }];
  switch (target) {
    case "email": {
      const email = profile.emails[0];
      return email ? [{ scheme: "mailto", email }] : [];
    }
    case "im":
      return profile.imClients.map((client) => imClientAddress(profile.id, client));
    case "pstn":
    case "cellular": {
      // The primary number; the telephone adapter rings every phone registered for the user, so
      // one call (one delivery) reaches them all rather than one call per number.
      const phone = profile.phones[0];
      return phone ? [{ scheme: "tel", number: phone }] : [];
    }
    case "voicemail":
      // The user's box in our own store (text is spoken into it, docs/architecture.md "Systems and
      // conversions" text → voice).
      return [{ scheme: "voicemail", userId: profile.id }];
    case "legacy-voicemail":
      // Every legacy box that takes deposits; one watched for MWI only has nowhere to deposit.
      return profile.voicemailSystems.flatMap((s): Address[] =>
        s.kind !== "internal" && s.depositUri
          ? [{ scheme: "legacy", userId: profile.id, systemId: s.id }]
          : [],
      );
  }
}

/** The targets a communication goes to, each with the options of the route that chose it. */
export function planTargets(c: Communication, profile: Profile): RoutePlan {
  if (c.direction === "outbound")
    return { targets: [{ address: c.to, options: {} }], options: {}, skipped: [] };
  const route = routeFor(c.kind, profile);
  const options = optionsOf(route);
  const seen = new Set<string>();
  const targets: PlannedTarget[] = [];
  const skipped: string[] = [];
  // A communication never goes back to the address it came in on (a mail to alice is not
  // mailed to alice again), which also breaks the simplest routing loops.
  const origin = formatAddress(c.to);
  for (const t of route.to) {
    // A recorded voicemail is in the box already: a route back into it would be a loop.
    const resolved = t === "voicemail" && c.kind === "voicemail" ? [] : resolveTarget(t, profile);
    if (resolved.length === 0) skipped.push(t);
    for (const address of resolved) {
      const key = formatAddress(address);
      if (key === origin || seen.has(key)) continue;
      seen.add(key);
      targets.push({ address, options });
    }
  }
  return { targets, options, skipped };
}
