// The mailbox port (docs/architecture.md "Layers"): what the telephone system asks of a voicemail
// store — which mailbox a number reaches, its greetings, taking a recorded deposit, and the
// messages a caller hears and manages in the phone mailbox. The voicemail system implements it.

import { createHash } from "node:crypto";
import type { ExtraTarget } from "./ports.ts";
import type { CallParty } from "./telephony.ts";

export type GreetingKind = "unavailable" | "busy";

/**
 * Audio ids allow no dots; user ids may have them. The unavailable greeting keeps the id it
 * always had; the busy greeting is a second blob beside it.
 */
export function greetingAudioId(userId: string, kind: GreetingKind = "unavailable"): string {
  const hash = createHash("sha256").update(userId).digest("hex").slice(0, 32);
  return kind === "busy" ? `greeting-busy-${hash}` : `greeting-${hash}`;
}

export const GREETING_KINDS: readonly GreetingKind[] = ["unavailable", "busy"];

/** What the telephone system hands over when a deposit call has been recorded. */
export interface DepositedMessage {
  userId: string;
  audio: Uint8Array;
  durationMs: number;
  party: CallParty;
  callId: string;
  receivedAt: Date;
  /** What the caller said, when a transcriber gave it in time. */
  transcript?: string;
  /** Problems that did not stop the deposit (a failed or late transcript). */
  warnings?: string[];
  /** Legacy boxes the message was relayed into live, or is to be replayed into (dual deposit). */
  extraTargets?: ExtraTarget[];
}

export interface MailboxMessage {
  id: string;
  ani?: string;
  receivedAt: Date;
  audio: () => Promise<Int16Array | undefined>;
}

/** What the phone mailbox does with the stored messages. */
export interface MailboxStore {
  verifyPin(userId: string, pin: string): Promise<boolean>;
  newMessages(userId: string): Promise<MailboxMessage[]>;
  markSaved(userId: string, messageId: string): Promise<void>;
  delete(userId: string, messageId: string): Promise<void>;
  /** Records `pcm` (8 kHz) as the user's greeting of that kind (default unavailable). */
  saveGreeting(userId: string, pcm: Int16Array, kind?: GreetingKind): Promise<void>;
}

/** The whole store a telephone system records into and plays from. */
export interface Mailboxes extends MailboxStore {
  /** The user a dialled number reaches. */
  mailboxFor(number: string): Promise<string | undefined>;
  /** The greeting of that kind; a user without a busy greeting gets their unavailable one. */
  greetingFor(userId: string, kind?: GreetingKind): Promise<Int16Array | undefined>;
  /** Durable before it resolves. */
  deposit(message: DepositedMessage): Promise<void>;
}
