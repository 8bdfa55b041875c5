// The router's decision, as a pure function: which targets a communication goes to, from the
// user's profile routes (DESIGN §1.1; defaults from issue 2: voicemail → email + im, email → im,
// im → email). No I/O and no protocol knowledge beyond address schemes.

import { type Address, formatAddress } from "./address.ts";
import type { Communication } from "./communication.ts";
import type { Profile, Route, RouteTarget } from "./profile.ts";
import type { SystemKind } from "./system.ts";

const DEFAULT_TARGETS: Record<SystemKind, RouteTarget[]> = {
  voicemail: ["email", "im"],
  pstn: ["email", "im"],
  cellular: ["email", "im"],
  "legacy-voicemail": ["email", "im"],
  icw: ["email", "im"],
  email: ["im"],
  im: ["email"],
};

export interface PlannedTarget {
  address: Address;
  /** The route that chose it (absent for an outbound communication's explicit address). */
  route?: Route;
}

export interface RoutePlan {
  targets: PlannedTarget[];
  /** Route targets that could not be resolved against the profile (no email address, …). */
  skipped: string[];
}

/** The route that applies: the first whose `from` is the communication's kind, else the first "*". */
export function matchRoute(c: Communication, profile: Profile): Route {
  return (
    profile.routes.find((r) => r.from === c.kind) ??
    profile.routes.find((r) => r.from === "*") ?? { from: c.kind, to: DEFAULT_TARGETS[c.kind] }
  );
}

function resolveTarget(target: RouteTarget, profile: Profile): Address[] {
  switch (target) {
    case "email": {
      const email = profile.emails[0];
      return email ? [{ scheme: "mailto", email }] : [];
    }
    case "im":
      return profile.imClients.map(
        (client): Address =>
          client.kind === "web"
            ? { scheme: "web", userId: profile.id, clientId: client.id }
            : { scheme: "xmpp", jid: client.jid },
      );
    case "pstn":
    case "cellular": {
      const phone = profile.phones[0];
      return phone ? [{ scheme: "tel", number: phone }] : [];
    }
    case "voicemail":
      // The user's box in our own store (text is spoken into it, DESIGN §1.1 text → voice).
      return [{ scheme: "voicemail", userId: profile.id }];
    case "legacy-voicemail":
      // Deposits into a legacy box arrive with their own issue; until then they are skipped.
      return [];
  }
}

export function planTargets(c: Communication, profile: Profile): RoutePlan {
  if (c.direction === "outbound") return { targets: [{ address: c.to }], skipped: [] };
  const route = matchRoute(c, profile);
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
      targets.push({ address, route });
    }
  }
  return { targets, skipped };
}
