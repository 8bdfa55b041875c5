// The digital voicemail store (docs/architecture.md "Systems and conversions" "voicemail", ours):
// deposits become a stored message with its audio and a `voicemail` communication routed by the
// gateway; the mailbox reads, saves and deletes messages and keeps the user's greeting. Every
// change is reported for MWI.

import type { Address } from "../../core/address.ts";
import {
  type DepositedMessage,
  type GreetingKind,
  greetingAudioId,
  type Mailboxes,
  type MailboxMessage,
} from "../../core/mailbox.ts";
import type { Gateway } from "../../core/ports.ts";
import type { MailboxRepos } from "../../core/repositories.ts";
import { parseWav, pcm16ToWav, wavToPcm16 } from "../../media/wav.ts";

// Erasing a user removes their greetings too, so the id is core's (core/mailbox.ts).
export { greetingAudioId } from "../../core/mailbox.ts";

function partyAddress(value: string | undefined, domain: string): Address {
  if (value && /^\+?[0-9*#]{1,32}$/.test(value)) return { scheme: "tel", number: value };
  return { scheme: "sip", uri: `sip:${value ?? "anonymous"}@${domain}` };
}

export class VoicemailStore implements Mailboxes {
  constructor(
    private readonly store: MailboxRepos,
    private readonly gateway: Gateway,
    private readonly sipDomain: string,
    private readonly changed: (userId: string) => void,
    /** Checks a PIN against its stored hash (the store's scrypt hashes). */
    private readonly verifySecret: (plain: string, hash: string) => Promise<boolean>,
  ) {}

  /** The user a dialled number reaches: one of their phones, or their user id. */
  async mailboxFor(number: string): Promise<string | undefined> {
    if (!number) return undefined;
    const byPhone =
      (await this.store.users.findByPhone(number)) ??
      // E.164 with or without "+": trunks send either form.
      (await this.store.users.findByPhone(number.startsWith("+") ? number.slice(1) : `+${number}`));
    if (byPhone) return byPhone.id;
    return (await this.store.users.get(number))?.profile.id;
  }

  /** The greeting of that kind; a user without a busy greeting gets their unavailable one. */
  async greetingFor(
    userId: string,
    kind: GreetingKind = "unavailable",
  ): Promise<Int16Array | undefined> {
    const blob =
      (kind === "busy" ? await this.store.audio.get(greetingAudioId(userId, "busy")) : undefined) ??
      (await this.store.audio.get(greetingAudioId(userId)));
    return blob ? wavToPcm16(parseWav(blob.data)) : undefined;
  }

  /**
   * Durable before it returns. The audio is written first (a fsynced file, or its row on
   * PostgreSQL); then the routed communication, its deliveries and the message row commit in one
   * transaction, and only then does the box report its change (MWI). Audio whose transaction
   * failed is swept later (gateway/orphan-audio.ts). Safe to repeat: a deposit already stored is
   * found by its call id.
   */
  async deposit(m: DepositedMessage): Promise<void> {
    const audioId = `vm-${m.callId}`;
    await this.store.audio.put(audioId, m.audio, "audio/wav");
    const party = {
      ...(m.party.ani ? { ani: m.party.ani } : {}),
      ...(m.party.dnis ? { dnis: m.party.dnis } : {}),
    };
    const transcript = m.transcript ? { transcript: m.transcript } : {};
    // The name the caller's phone sent (From display name) goes with the message to every render.
    const name = m.party.callerName?.trim() ? { callerName: m.party.callerName.trim() } : {};
    await this.gateway.receive(
      {
        kind: "voicemail",
        direction: "inbound",
        userId: m.userId,
        from: partyAddress(m.party.ani, this.sipDomain),
        to: partyAddress(m.party.dnis, this.sipDomain),
        receivedAt: m.receivedAt,
        nativeRefs: [{ system: "voicemail", id: m.callId }],
        warnings: m.warnings ?? [],
        body: { audioId, durationMs: m.durationMs, ...transcript },
        ...party,
        ...name,
        ...(m.extraTargets ? { extraTargets: m.extraTargets } : {}),
      },
      {
        mailboxEntry: { id: m.callId, audioId, durationMs: m.durationMs, ...party, ...transcript },
        afterCommit: () => this.changed(m.userId),
      },
    );
  }

  async verifyPin(userId: string, pin: string): Promise<boolean> {
    const hash = (await this.store.users.get(userId))?.secrets.pinHash;
    return hash ? this.verifySecret(pin, hash) : false;
  }

  async newMessages(userId: string): Promise<MailboxMessage[]> {
    const all = await this.store.voicemail.list(userId);
    return all
      .filter((v) => v.state === "new")
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())
      .map((v) => ({
        id: v.id,
        ...(v.ani ? { ani: v.ani } : {}),
        receivedAt: v.receivedAt,
        audio: async () => {
          const blob = await this.store.audio.get(v.audioId);
          return blob ? wavToPcm16(parseWav(blob.data)) : undefined;
        },
      }));
  }

  async markSaved(userId: string, messageId: string): Promise<void> {
    if (await this.store.voicemail.update(userId, messageId, { state: "saved" }))
      this.changed(userId);
  }

  async delete(userId: string, messageId: string): Promise<void> {
    const record = await this.store.voicemail.get(userId, messageId);
    if (!record) return;
    await this.store.voicemail.delete(userId, messageId);
    await this.store.audio.delete(record.audioId);
    this.changed(userId);
  }

  async saveGreeting(
    userId: string,
    pcm: Int16Array,
    kind: GreetingKind = "unavailable",
  ): Promise<void> {
    await this.store.audio.put(greetingAudioId(userId, kind), pcm16ToWav(pcm, 8000), "audio/wav");
  }
}
