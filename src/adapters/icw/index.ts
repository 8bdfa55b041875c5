// The call-waiting system (README "Internet call waiting"): the user's clients show the calls,
// a spoken reply is synthesized, and a takeover is placed through the telephony port (tel:
// through the trunk whose numbers match, else `icw.outboundProxy`).

import type { Logger } from "pino";
import type { CallClients, CallWaiting } from "../../core/call-waiting.ts";
import { ValidationError } from "../../core/errors.ts";
import type { Gateway, System } from "../../core/ports.ts";
import type { Telephony } from "../../core/telephony.ts";
import { IcwCalls, type IcwMedia } from "./calls.ts";
import { WebCallWaiting } from "./waiting.ts";

/** The `icw` section as this system reads it (the config schema's output is assignable to it). */
export interface IcwOptions {
  /** How long the user may choose; 0 turns ICW off. */
  decideMs: number;
  /** Where takeovers to tel: numbers no trunk serves are sent. */
  outboundProxy?: { host: string; port: number };
}

export interface IcwDeps {
  gateway: Pick<Gateway, "receive">;
  /** Speaks a text reply as 8 kHz speech (the TTS engine, in `speech.language`). */
  speak(text: string): Promise<Int16Array>;
  /** For the caller's address when the ANI is not a number (config sip.domain). */
  sipDomain: string;
  logger: Logger;
}

/** How long a takeover call may ring before it counts as not answered. */
const TAKEOVER_ANSWER_MS = 30_000;

export interface Icw extends System {
  /** The calls under ICW now: the clients' actions and the HTTP screening find them. */
  readonly calls: IcwCalls;
  /** Call waiting for the telephone service: takeovers through `telephony`, shown on `clients`. */
  waiting(telephony: Telephony, clients: CallClients): CallWaiting;
}

export function create(opts: IcwOptions, deps: IcwDeps): Icw {
  const logger = deps.logger.child({ component: "icw" });
  const calls = new IcwCalls();
  return {
    name: "icw",
    calls,
    waiting(telephony, clients) {
      const route = (to: string) => telephony.route(to, opts.outboundProxy);
      const media: IcwMedia = {
        speak: (text) => deps.speak(text),
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
          return telephony.dial({
            ...call,
            from: { uri: `sip:${user}@${fromHost}`, ...(name ? { displayName: name } : {}) },
            answerTimeoutMs: TAKEOVER_ANSWER_MS,
          });
        },
      };
      return new WebCallWaiting({
        hub: clients,
        calls,
        gateway: deps.gateway,
        decideMs: opts.decideMs,
        sipDomain: deps.sipDomain,
        media,
        logger,
      });
    },
  };
}
