// The telephony port (core/telephony.ts) over the running telephone service: the calls other
// systems place — a replay into a legacy box, a takeover, a live deposit copy — go through here.

import type { OutboundLeg, Telephony } from "../../core/telephony.ts";
import { type CallPlayer, callAndPlay } from "./adapter.ts";
import type { DialOptions } from "./takeover.ts";
import { takeoverRoute } from "./takeover.ts";
import type { Trunk } from "./trunks.ts";

export interface TelephonyService extends CallPlayer {
  dial(opts: DialOptions, liveness?: boolean): Promise<OutboundLeg>;
}

export function telephonyPort(
  service: () => TelephonyService,
  routing: { trunks: readonly Trunk[]; domain: string },
): Telephony {
  return {
    playCall: ({ uri, dest, ...rest }) => callAndPlay(service(), { route: { uri, dest }, ...rest }),
    route: takeoverRoute(routing.trunks, routing.domain),
    dial: (req, liveness) => service().dial(req, liveness),
  };
}
