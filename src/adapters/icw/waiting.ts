// Internet call waiting on the user's clients (README "The outside contract" stream): alerts and
// updates to the clients connected now, and each choice as an `icw` communication.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type {
  CallAlertEvent,
  CallClients,
  CallEvent,
  CallUpdateEvent,
  CallWaiting,
  IcwAction,
} from "../../core/call-waiting.ts";
import type { CommunicationDraft, Gateway } from "../../core/ports.ts";
import type { CallParty } from "../../core/telephony.ts";
import type { IcwCall, IcwCalls, IcwHooks, IcwMedia } from "./calls.ts";

/** Where the live recording of a call is streamed (routes/calls.ts), under the API prefix. */
export function screenPath(callId: string): string {
  return `/api/v1/calls/${encodeURIComponent(callId)}/screen`;
}

export interface WebCallWaitingOptions {
  hub: CallClients;
  calls: IcwCalls;
  gateway: Pick<Gateway, "receive">;
  /** config icw.decideMs; 0 turns ICW off. */
  decideMs: number;
  /** For the caller's address when the ANI is not a number (config sip.domain). */
  sipDomain: string;
  media: IcwMedia;
  logger: Logger;
}

export class WebCallWaiting implements CallWaiting, IcwHooks {
  constructor(private readonly opts: WebCallWaitingOptions) {}

  async offer(call: Parameters<CallWaiting["offer"]>[0]): Promise<IcwCall | undefined> {
    const { decideMs, hub, calls, media, logger } = this.opts;
    if (decideMs === 0 || hub.connectedClients(call.userId).length === 0) return undefined;
    return calls.open({
      id: call.callId,
      userId: call.userId,
      party: call.party,
      decideMs,
      ended: call.ended,
      hooks: this,
      media,
      logger,
    });
  }

  changed(call: IcwCall): void {
    const { party } = call;
    let event: CallAlertEvent | CallUpdateEvent;
    if (call.state === "ringing") {
      event = {
        id: `${call.id}:alert`,
        type: "call-alert",
        callId: call.id,
        from: {
          ani: party.ani ?? "anonymous",
          ...(party.callerName ? { name: party.callerName } : {}),
        },
        dnis: party.dnis ?? "",
        decideBy: call.decideBy.toISOString(),
      };
    } else {
      // Each state is entered once per call, so the id is unique and stable for re-sends.
      event = {
        id: `${call.id}:${call.state}`,
        type: "call-update",
        callId: call.id,
        state: call.state,
      };
      if (call.state === "recording") event.screenUrl = screenPath(call.id);
    }
    this.#push(call.userId, event);
  }

  decided(call: IcwCall, action: IcwAction, by: string, warnings: string[]): void {
    const draft = icwDraft(call, action, by, warnings, this.opts.sipDomain);
    this.opts.gateway.receive(draft).catch((err: unknown) => {
      this.opts.logger.error({ err, callId: call.id }, "icw: the choice could not be recorded");
    });
  }

  #push(userId: string, event: CallEvent): void {
    for (const clientId of this.opts.hub.connectedClients(userId)) {
      // Not awaited: the call goes on whether or not a client acknowledges in time.
      this.opts.hub.deliver({ userId, clientId }, event).catch((err: unknown) => {
        this.opts.logger.debug({ err, userId, clientId, event: event.id }, "icw: event not acked");
      });
    }
  }
}

function partyAddress(value: string | undefined, domain: string): Address {
  if (value && /^\+?[0-9*#]{1,32}$/.test(value)) return { scheme: "tel", number: value };
  return { scheme: "sip", uri: `sip:${value ?? "anonymous"}@${domain}` };
}

function callerLabel(party: CallParty): string {
  const ani = party.ani ?? "an unknown number";
  return party.callerName ? `${party.callerName} (${ani})` : ani;
}

function outcome(action: IcwAction, by: string): string {
  switch (action.action) {
    case "voicemail":
      return by === "timeout"
        ? "No choice was made in time: sent to voicemail."
        : "Sent to voicemail.";
    case "forward":
      return `Forwarded to ${action.to}.`;
    case "reply":
      return `Answered with the text "${action.text}", then sent to voicemail.`;
    case "takeover":
      return `Taken over to ${action.to}.`;
  }
}

/** The choice as a communication: text, from the caller, to the number that was called. */
export function icwDraft(
  call: IcwCall,
  action: IcwAction,
  by: string,
  warnings: string[],
  sipDomain: string,
): CommunicationDraft {
  const { party } = call;
  const caller = callerLabel(party);
  return {
    kind: "icw",
    direction: "inbound",
    userId: call.userId,
    from: partyAddress(party.ani, sipDomain),
    to: partyAddress(party.dnis, sipDomain),
    subject: `Call from ${caller}`,
    body: { text: `Call from ${caller} to ${party.dnis ?? "you"}. ${outcome(action, by)}` },
    receivedAt: new Date(),
    // One per call and action: a takeover after a voicemail choice is a second communication.
    nativeRefs: [{ system: "icw", id: `${call.id}#${action.action}` }],
    warnings,
  };
}
