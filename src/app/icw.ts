// Wires Internet call waiting (README "Internet call waiting"): the web client hub shows the calls, the TTS engine speaks
// replies, the telephone service places takeovers (tel: through the trunk whose numbers match,
// else `icw.outboundProxy`).

import type { Logger } from "pino";
import type { CallWaiting, IcwCalls, IcwMedia } from "../adapters/telephone/icw.ts";
import { type DialOptions, dialTarget, type OutboundLeg } from "../adapters/telephone/takeover.ts";
import { trunkCall, trunkFor } from "../adapters/telephone/trunks.ts";
import { WebCallWaiting, type WebCallWaitingOptions } from "../adapters/web/calls.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { ValidationError } from "../core/errors.ts";
import type { Gateway } from "../core/ports.ts";
import type { Resample } from "../gateway/convert/phone-audio.ts";
import type { Destination } from "../protocols/sip/endpoint.ts";
import { synthesize8k, type TtsEngine } from "../speech/tts/engine.ts";
import { trunksOf } from "./telephony.ts";

export interface IcwDeps {
  calls: IcwCalls;
  hub: WebCallWaitingOptions["hub"];
  gateway: Pick<Gateway, "receive">;
  /** Speaks text replies (the engine of `speech.tts`, in `speech.language`). */
  tts: TtsEngine;
  logger: Logger;
  /** Where TTS output is resampled to 8 kHz (the audio worker pool); inline without it. */
  resample?: Resample;
}

/** How long a takeover call may ring before it counts as not answered. */
const TAKEOVER_ANSWER_MS = 30_000;

export type TakeoverRoute =
  | {
      uri: string;
      dest: Destination;
      /** Host of the From URI: the trunk's fromDomain, else sip.domain. */
      fromHost: string;
      credentials?: { username: string; password: string };
    }
  | { refused: string };

/**
 * Where a takeover to `to` goes: a tel: number the trunks' prefixes match through that trunk
 * with its credentials, another tel: number through `icw.outboundProxy`, a sip: URI direct.
 */
export function takeoverRoute(config: Config): (to: string) => TakeoverRoute {
  const proxy = config.icw.outboundProxy ? parseListen(config.icw.outboundProxy) : undefined;
  const trunks = trunksOf(config);
  return (to) => {
    const number = /^tel:([+0-9*#]{1,32})$/i.exec(to.replace(/[\s().-]/g, ""))?.[1];
    const trunk = number ? trunkFor(trunks, number) : undefined;
    if (trunk && number) {
      return {
        ...trunkCall(trunk, number),
        fromHost: trunk.fromDomain,
        ...(trunk.credentials ? { credentials: trunk.credentials } : {}),
      };
    }
    const target = dialTarget(to, proxy);
    return "refused" in target ? target : { ...target, fromHost: config.sip.domain };
  };
}

/** Call waiting for the telephone service, given the service's way of placing calls. */
export function callWaiting(
  config: Config,
  deps: IcwDeps,
): (dial: (opts: DialOptions) => Promise<OutboundLeg>) => CallWaiting {
  const route = takeoverRoute(config);
  const logger = deps.logger.child({ component: "icw" });
  return (dial) => {
    const media: IcwMedia = {
      speak: async (text) => {
        const lang = config.speech.language;
        return (await synthesize8k(deps.tts, text, lang ? { language: lang } : {}, deps.resample))
          .samples;
      },
      check: (to) => {
        const target = route(to);
        return "refused" in target ? { field: "to", message: target.refused } : undefined;
      },
      dial: async (to, party) => {
        const target = route(to);
        if ("refused" in target) throw new ValidationError("to", target.refused);
        const { fromHost, ...call } = target;
        // The person taking the call over sees who is calling, not omnivox.
        const user =
          party.ani && /^[A-Za-z0-9+*#._-]{1,64}$/.test(party.ani) ? party.ani : "anonymous";
        // The name came from the caller's INVITE: nothing that could break the From header.
        const name = party.callerName
          ?.replace(/[\p{Cc}"\\]/gu, " ")
          .trim()
          .slice(0, 64);
        return dial({
          ...call,
          from: {
            uri: `sip:${user}@${fromHost}`,
            ...(name ? { displayName: name } : {}),
          },
          answerTimeoutMs: TAKEOVER_ANSWER_MS,
        });
      },
    };
    return new WebCallWaiting({
      hub: deps.hub,
      calls: deps.calls,
      gateway: deps.gateway,
      decideMs: config.icw.decideMs,
      sipDomain: config.sip.domain,
      media,
      logger,
    });
  };
}
