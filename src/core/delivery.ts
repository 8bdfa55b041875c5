// A delivery is one communication bound for one target: the outbox row's life cycle, and the
// route options receive decided for it (render reads those, never the profile of the day).

import type { RouteOptions } from "./routing.ts";

export const DELIVERY_STATES = [
  "pending",
  "inflight",
  "held",
  "delivered",
  "failed",
  "expired",
] as const;

export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface Delivery {
  id: string;
  communicationId: string;
  userId: string;
  /** Canonical target address (core/address formatAddress): idempotency is on (communicationId, target). */
  target: string;
  /**
   * The options of the route that chose this target, as matched at receive. Absent only on rows
   * written before the store kept them (migration 007), which render matches against the profile.
   */
  route?: RouteOptions;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  /** While inflight, the time after which another worker (or a restart) may take the row again. */
  leaseUntil?: Date;
  /** Held deliveries (target unavailable) expire at this time. */
  expiresAt?: Date;
  lastError?: string;
  /** The id the target system gave the delivered message (Message-ID, stanza id). */
  nativeId?: string;
  createdAt: Date;
  deliveredAt?: Date;
}

/**
 * The share of the outbox's slots a delivery counts against (outbox.perTargetConcurrency): its
 * target — except that every mailto: target goes through the one relay (smtpOut), so they are one
 * share, and a relay that stalls holds that many slots, never all; each `webhook:<id>` is a share
 * of its own, so a slow app holds only its cap. The outbox's claim query
 * (store/outbox-repo.ts) partitions by the same rule.
 */
export function shareOf(target: string): string {
  return target.startsWith("mailto:") ? MAIL_RELAY_SHARE : target;
}

export const MAIL_RELAY_SHARE = "mailto:";
