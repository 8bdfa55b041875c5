// The voicemail store as a delivery target (docs/architecture.md "Systems and conversions"
// "voicemail" out: deposit of converted audio): a voice rendition sent to `voicemail:<user>`
// becomes a new message in that user's box, with the sender as caller and the spoken text as
// transcript; the mailbox hook then sends MWI.

import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { Rendition } from "../../core/rendition.ts";
import type { MailboxRepos } from "../../core/repositories.ts";

export interface VoicemailAdapterDeps {
  store: Pick<MailboxRepos, "users" | "voicemail">;
  /** The sender as the message's caller (an address or number). */
  callerOf(c: Communication): Promise<string | undefined>;
  /** Called after the box changed (MWI to phones and IM clients). */
  changed(userId: string): void;
}

export class VoicemailAdapter implements Adapter {
  readonly name = "voicemail";

  constructor(private readonly deps: VoicemailAdapterDeps) {}

  handles(address: Address): boolean {
    return address.scheme === "voicemail";
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(c: Communication, r: Rendition, target: DeliveryTarget): Promise<string | undefined> {
    const address = target.address;
    if (address.scheme !== "voicemail")
      throw new DeliveryError(`${address.scheme}: not a voicemail box`, true);
    if (r.medium !== "voice") throw new DeliveryError("a voicemail box takes audio only", true);
    const { store } = this.deps;
    if (!(await store.users.get(address.userId)))
      throw new DeliveryError(`no user "${address.userId}" for this voicemail box`, true);
    // One message per communication: a retried delivery finds the message it left before.
    const id = `msg-${c.id}`;
    if (await store.voicemail.get(address.userId, id)) return id;
    const caller = await this.deps.callerOf(c);
    const transcript = [r.text, ...r.notes].filter((t) => t?.trim()).join("\n");
    await store.voicemail.insert({
      id,
      userId: address.userId,
      communicationId: c.id,
      ...(caller ? { ani: caller } : {}),
      receivedAt: c.receivedAt,
      durationMs: r.durationMs,
      audioId: r.audioId,
      ...(transcript ? { transcript } : {}),
      urgent: false,
      state: "new",
    });
    this.deps.changed(address.userId);
    return id;
  }
}
