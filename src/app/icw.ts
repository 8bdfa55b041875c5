// Wires Internet call waiting (issue 7): the web client hub shows the calls, the TTS engine speaks
// replies, the telephone service places takeovers (tel: through the trunk whose numbers match,
// else `icw.outboundProxy`).

import type { Logger } from "pino";
import type { CallWaiting, IcwCalls, IcwMedia } from "../adapters/telephone/icw.ts";
import { type DialOptions, dialTarget, type OutboundLeg } from "../adapters/telephone/takeover.ts";
import { type Trunk, trunkCall, trunkFor } from "../adapters/telephone/trunks.ts";
import { WebCallWaiting, type WebCallWaitingOptions } from "../adapters/web/calls.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { ValidationError } from "../core/errors.ts";
import type { Gateway } from "../core/ports.ts";
import { synthesize8k, type TtsEngine } from "../speech/tts/engine.ts";
import { trunksOf } from "./telephony.ts";

export interface IcwDeps {
  calls: IcwCalls;
  hub: WebCallWaitingOptions["hub"];
  gateway: Pick<Gateway, "receive">;
  /** Speaks text replies (the engine of `speech.tts`, in `speech.language`). */
  tts: TtsEngine;
  logger: Logger;
}

/** How long a takeover call may ring before it counts as not answered. */
const TAKEOVER_ANSWER_MS = 30_000;

/** Call waiting for the telephone service, given the service's way of placing calls. */
export function callWaiting(
  config: Config,
  deps: IcwDeps,
): (dial: (opts: DialOptions) => Promise<OutboundLeg>) => CallWaiting {
  const proxy = config.icw.outboundProxy ? parseListen(config.icw.outboundProxy) : undefined;
  const trunks = trunksOf(config);
  // A tel: number a trunk's prefixes match leaves through that trunk, with its credentials.
  const viaTrunk = (to: string): { trunk: Trunk; number: string } | undefined => {
    const number = /^tel:([+0-9*#]{1,32})$/i.exec(to.replace(/[\s().-]/g, ""))?.[1];
    const trunk = number ? trunkFor(trunks, number) : undefined;
    return trunk && number ? { trunk, number } : undefined;
  };
  const logger = deps.logger.child({ component: "icw" });
  return (dial) => {
    const media: IcwMedia = {
      speak: async (text) => {
        const lang = config.speech.language;
        return (await synthesize8k(deps.tts, text, lang ? { language: lang } : {})).samples;
      },
      check: (to) => {
        if (viaTrunk(to)) return undefined;
        const target = dialTarget(to, proxy);
        return "refused" in target ? { field: "to", message: target.refused } : undefined;
      },
      dial: async (to, party) => {
        const trunked = viaTrunk(to);
        const target = trunked ? trunkCall(trunked.trunk, trunked.number) : dialTarget(to, proxy);
        if ("refused" in target) throw new ValidationError("to", target.refused);
        const fromHost = trunked ? trunked.trunk.fromDomain : config.sip.domain;
        const credentials = trunked?.trunk.credentials;
        // The person taking the call over sees who is calling, not omnivox.
        const user =
          party.ani && /^[A-Za-z0-9+*#._-]{1,64}$/.test(party.ani) ? party.ani : "anonymous";
        // The name came from the caller's INVITE: nothing that could break the From header.
        const name = party.callerName
          ?.replace(/[\p{Cc}"\\]/gu, " ")
          .trim()
          .slice(0, 64);
        return dial({
          ...target,
          ...(credentials ? { credentials } : {}),
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
