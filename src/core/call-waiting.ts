// The call-waiting ports (README "Internet call waiting"): what the telephone system asks of
// call waiting for each deposit call, and what call waiting exchanges with the user's clients —
// the alert and updates it pushes, and the choice a client sends back.

import type { CallLeg, CallParty } from "./telephony.ts";

export type IcwAction =
  | { action: "voicemail" }
  | { action: "forward"; to: string }
  | { action: "reply"; text: string }
  | { action: "takeover"; to: string };

export type IcwState = "ringing" | "recording" | "forwarded" | "taken-over" | "ended";

/** What the telephone service does with the call once decided; `speech` is the spoken reply. */
export type IcwDecision = IcwAction & { speech?: Int16Array };

/** Why an action was not taken; `field` names the frame field at fault. */
export interface IcwRefusal {
  message: string;
  field?: string;
}

/** A call offered to its user, as the telephone service drives it. */
export interface WaitingCall {
  /** Settles with the choice: at once for a click, at the deadline with voicemail otherwise. */
  readonly decision: Promise<IcwDecision>;
  /** The leg the deposit records from: a takeover ends it early. Call once, after answering. */
  attach(leg: CallLeg, toCaller: (pcm: Int16Array) => void): CallLeg;
  /** The deposit began recording. */
  recording(): void;
  /** The deposit is over; true when it was taken over (resolves once that relay has ended). */
  afterRecording(): Promise<boolean>;
}

/** The port the telephone service calls for every deposit call. */
export interface CallWaiting {
  /** The call, alerted, when its user can be asked now; undefined otherwise. */
  offer(call: {
    callId: string;
    userId: string;
    party: CallParty;
    /** Settles when the caller's SIP session is over. */
    ended: Promise<unknown>;
  }): Promise<WaitingCall | undefined>;
}

/** A call for the user is ringing; they may choose until `decideBy`. */
export interface CallAlertEvent {
  id: string;
  type: "call-alert";
  callId: string;
  from: { ani: string; name?: string };
  dnis: string;
  /** ISO 8601; with no choice by then the call goes to voicemail. */
  decideBy: string;
}

export interface CallUpdateEvent {
  id: string;
  type: "call-update";
  callId: string;
  state: IcwState;
  /** Path under /api/v1 streaming the live recording as audio/wav (only while recording). */
  screenUrl?: string;
}

export type CallEvent = CallAlertEvent | CallUpdateEvent;

export interface ClientRef {
  userId: string;
  clientId: string;
}

/** The clients that show calls (the web client hub). */
export interface CallClients {
  /** The ids of the user's clients connected now. */
  connectedClients(userId: string): string[];
  /** Resolves when the client acknowledged the event; rejects when it cannot take it. */
  deliver(client: ClientRef, event: CallEvent): Promise<void>;
}

/** Where a client's choice for a call goes (the call-waiting system). */
export interface CallActions {
  act(client: ClientRef, callId: string, action: IcwAction): Promise<IcwRefusal | undefined>;
}
