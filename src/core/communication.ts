// The one canonical message that flows through the gateway (the matterbridge lesson): every
// adapter turns its native form into a Communication and back. Discriminated on `kind`, the
// system it arrived from.

import type { Address } from "./address.ts";
import type { SystemKind } from "./system.ts";

/**
 * The mail header carrying the id of the communication a mail of ours was made from: the email
 * system marks mail coming back with it as looped, the single inbox finds a voicemail's mail by it.
 */
export const COMMUNICATION_HEADER = "X-Omnivox-Communication";

/** Where a native message lives on its own system (a Message-ID, a SIP Call-ID, a stanza id). */
export interface NativeRef {
  /** The system that named the message; "omnivox" when the id is one of our communication ids. */
  system: SystemKind | "omnivox";
  id: string;
}

/** Threading across systems: RFC 5322 Message-ID / In-Reply-To / References, carried for all. */
export interface Thread {
  /** Stable id shared by every communication of one conversation (the first one's id). */
  threadId: string;
  /** The communication this one answers, when known. */
  parentId?: string;
}

export interface TextBody {
  text: string;
  html?: string;
}

export interface AudioBody {
  /** Id of the stored audio blob (store/audio). */
  audioId: string;
  durationMs: number;
  transcript?: string;
}

interface Base {
  id: string;
  /** The user the communication belongs to: the recipient when inbound, the sender when outbound. */
  userId: string;
  /** `inbound`: to the user, routed by the profile. `outbound`: from the user to `to`. */
  direction: "inbound" | "outbound";
  from: Address;
  to: Address;
  subject?: string;
  receivedAt: Date;
  thread: Thread;
  nativeRefs: NativeRef[];
  /** Problems met on the way in that did not stop delivery (broken MIME, a failed conversion). */
  warnings: string[];
}

export interface EmailCommunication extends Base {
  kind: "email";
  body: TextBody;
}
export interface ImCommunication extends Base {
  kind: "im";
  body: TextBody;
}
export interface IcwCommunication extends Base {
  kind: "icw";
  body: TextBody;
}
export interface VoiceCommunication extends Base {
  kind: "voicemail" | "pstn" | "cellular" | "legacy-voicemail";
  body: AudioBody;
  ani?: string;
  dnis?: string;
  /** The caller's display name when the network gave one (SIP From display-name, CNAM). */
  callerName?: string;
}

export type Communication =
  | EmailCommunication
  | ImCommunication
  | IcwCommunication
  | VoiceCommunication;

export type TextCommunication = EmailCommunication | ImCommunication | IcwCommunication;

export function isText(c: Communication): c is TextCommunication {
  return c.kind === "email" || c.kind === "im" || c.kind === "icw";
}
