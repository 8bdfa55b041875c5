// The gateway's inbound port: an adapter's draft becomes a Communication with an id and a thread,
// is routed by the user's profile, and is written with its deliveries — and a deposit's mailbox
// message — in one transaction. The promise resolves only after the commit, so an adapter may
// acknowledge its sender then; after-commit work (the outbox wake-up, MWI) never runs before it.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Address } from "../core/address.ts";
import { formatAddress } from "../core/address.ts";
import type { Communication, Thread } from "../core/communication.ts";
import type { Delivery } from "../core/delivery.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { CommunicationDraft, Gateway, MailboxEntry, ReceiveOptions } from "../core/ports.ts";
import { planTargets } from "../core/routing.ts";
import type { NewDelivery, Store, StoreTransaction, VoicemailRecord } from "../store/types.ts";
import type { OutboxSlots } from "./outbox-slots.ts";

export interface ReceiverOptions {
  store: Store;
  logger: Logger;
  /** How long a delivery may wait for its target (IM client offline) before it expires. */
  holdMs: number;
  /**
   * Called after each commit so the outbox worker starts at once instead of on its timer, with
   * the deliveries claimed into `slots` in that transaction.
   */
  onCommitted: (c: Communication, claimed: readonly Delivery[], unclaimed: number) => void;
  /** The outbox's free slots: a delivery that finds one is claimed as it is stored. */
  slots?: OutboxSlots;
}

export class Receiver implements Gateway {
  constructor(private readonly opts: ReceiverOptions) {}

  async resolveUser(address: Address): Promise<string | undefined> {
    const { users } = this.opts.store;
    switch (address.scheme) {
      case "mailto":
        return (await users.findByEmail(address.email))?.id;
      case "tel":
        return (await users.findByPhone(address.number))?.id;
      case "web":
        return (await users.get(address.userId))?.profile.id;
      default:
        return undefined;
    }
  }

  async receive(draft: CommunicationDraft, options: ReceiveOptions = {}): Promise<Communication> {
    const { store, logger } = this.opts;
    const userId =
      draft.userId ??
      (await this.resolveUser(draft.direction === "inbound" ? draft.to : draft.from));
    if (!userId)
      throw new ValidationError("to", `no user is reachable at ${formatAddress(draft.to)}`);
    const user = await store.users.get(userId);
    if (!user) throw new NotFoundError(`user ${userId} does not exist`);

    // A sender that retries after a lost acknowledgement sends the same native message again:
    // it is the same communication (shown once), not a new one.
    for (const ref of draft.nativeRefs) {
      const existing = await store.communications.findByNativeId(ref.system, ref.id);
      if (existing && existing.userId === userId && existing.direction === draft.direction)
        return this.#again(existing, options);
    }

    const id = randomUUID();
    const { thread, parent } = await this.#thread(id, userId, draft);
    const { replyTo: _replyTo, extraTargets = [], ...rest } = draft;
    const communication = { ...rest, id, userId, thread } as Communication;
    // A chat answering a mail has no subject of its own: the reply keeps the mail's (RFC 5322
    // §3.6.5 "Re: "), so the recipient's mail client files it with the original.
    const parentSubject = parent?.subject?.trim();
    if (!communication.subject?.trim() && parentSubject) {
      communication.subject = /^re:/i.test(parentSubject) ? parentSubject : `Re: ${parentSubject}`;
    }
    const plan = planTargets(communication, user.profile);
    if (plan.skipped.length > 0) {
      communication.warnings = [
        ...communication.warnings,
        `route targets without an address: ${plan.skipped.join(", ")}`,
      ];
    }
    const expiresAt = new Date(communication.receivedAt.getTime() + this.opts.holdMs);
    const deliveries = new Map<string, NewDelivery>();
    for (const t of plan.targets) {
      const target = formatAddress(t.address);
      deliveries.set(target, { target, route: t.options, expiresAt });
    }
    // The adapter's word wins over the route's: a target it delivered itself is not sent again.
    const now = new Date();
    for (const extra of extraTargets) {
      const target = formatAddress(extra.address);
      const routed: NewDelivery = { target, route: plan.options, expiresAt };
      deliveries.set(
        target,
        extra.delivered
          ? { ...routed, deliveredAt: now, nativeId: extra.delivered.nativeId }
          : routed,
      );
    }
    const { mailboxEntry, afterCommit } = options;
    const taken = this.#claim(deliveries.values());
    try {
      await store.transaction(async (tx) => {
        const rows = await tx.communications.insertWithDeliveries(communication, [
          ...deliveries.values(),
        ]);
        if (mailboxEntry) await tx.voicemail.insert(mailboxRecord(mailboxEntry, communication));
        tx.onCommit(() => {
          const claimed = rows.filter((d) => d.state === "inflight");
          // A slot taken for a row that was not stored as claimed is not ours to hold.
          for (const target of taken)
            if (!claimed.some((d) => d.target === target)) this.opts.slots?.give(target);
          const unclaimed = rows.filter((d) => d.state === "pending").length;
          this.opts.onCommitted(communication, claimed, unclaimed);
          afterCommit?.(communication);
        });
      });
    } catch (err) {
      for (const target of taken) this.opts.slots?.give(target);
      throw err;
    }
    logger.info(
      {
        communicationId: id,
        userId,
        kind: communication.kind,
        direction: communication.direction,
        targets: deliveries.size,
      },
      "communication received",
    );
    return communication;
  }

  #claim(deliveries: Iterable<NewDelivery>): string[] {
    return this.opts.slots ? claimInto(this.opts.slots, deliveries, new Date()) : [];
  }

  /**
   * The same native message again (a sender's retry, a deposit written again after a failure):
   * nothing new is routed; a mailbox entry the communication lacks is filed now.
   */
  async #again(existing: Communication, options: ReceiveOptions): Promise<Communication> {
    const { mailboxEntry, afterCommit } = options;
    if (!mailboxEntry && !afterCommit) return existing;
    await this.opts.store.transaction(async (tx) => {
      if (mailboxEntry) await fileOnce(tx, mailboxRecord(mailboxEntry, existing));
      if (afterCommit) tx.onCommit(() => afterCommit(existing));
    });
    return existing;
  }

  /** Joins the thread of the newest known message this one answers, when it is the same user's. */
  async #thread(
    id: string,
    userId: string,
    draft: CommunicationDraft,
  ): Promise<{ thread: Thread; parent?: Communication }> {
    const refs = draft.replyTo ?? [];
    for (let i = refs.length - 1; i >= 0; i--) {
      const ref = refs[i]!;
      const parent =
        ref.system === "omnivox"
          ? await this.opts.store.communications.get(ref.id)
          : await this.opts.store.communications.findByNativeId(ref.system, ref.id);
      if (parent && parent.userId === userId)
        return { thread: { threadId: parent.thread.threadId, parentId: parent.id }, parent };
    }
    return { thread: { threadId: id } };
  }
}

/**
 * Marks the deliveries that find a free outbox slot as claimed (leased from now); returns the
 * targets whose slots were taken, to give back if the transaction fails.
 */
function claimInto(slots: OutboxSlots, deliveries: Iterable<NewDelivery>, now: Date): string[] {
  const taken: string[] = [];
  const until = new Date(now.getTime() + slots.leaseMs);
  for (const d of deliveries) {
    if (d.deliveredAt !== undefined || !slots.take(d.target)) continue;
    d.claimedUntil = until;
    taken.push(d.target);
  }
  return taken;
}

function mailboxRecord(entry: MailboxEntry, c: Communication): VoicemailRecord {
  const { urgent = false, ...rest } = entry;
  return {
    ...rest,
    userId: c.userId,
    communicationId: c.id,
    receivedAt: c.receivedAt,
    urgent,
    state: "new",
  };
}

/** Files the entry unless the user's box has it already. */
async function fileOnce(tx: StoreTransaction, record: VoicemailRecord): Promise<void> {
  if (!(await tx.voicemail.get(record.userId, record.id))) await tx.voicemail.insert(record);
}
