// The event port every system is handed (docs/architecture.md "Layers"): what happened that others
// act on — a mailbox changed (MWI for phones and IM clients), a communication became durable (the
// outbox delivers it), a target that comes and goes is back (held deliveries and indicators go
// out). Created before any system, so no system needs a reference to one created after it.

import type { Address } from "./address.ts";
import type { Communication } from "./communication.ts";
import type { Delivery } from "./delivery.ts";

export interface SystemEventMap {
  /** A user's mailbox changed: a deposit, a REST call, a key pressed on the phone. */
  mailboxChanged: [userId: string];
  /**
   * A communication and its deliveries are stored; `claimed` are those this node's outbox
   * claimed in the same transaction (their slots already taken), for it to start at once, and
   * `unclaimed` how many wait for the outbox's next claim.
   */
  committed: [communication: Communication, claimed: readonly Delivery[], unclaimed: number];
  /** A client or JID that was away can take deliveries again. */
  targetAvailable: [address: Address];
  /**
   * Deliveries stored by another node of the cluster wait to be claimed (docs/cluster.md): the
   * outbox claims now instead of at its next poll.
   */
  outboxDue: [];
  /**
   * A user's profile, or their MWI switches, changed on another node of the cluster: what this
   * node keeps of it (MWI sources, cached profiles) is read again.
   */
  profileChanged: [userId: string];
  /**
   * A user's profile was created or edited through this node's API. MWI is told directly, before
   * the answer; this is for the systems that follow profiles otherwise (the single inbox).
   */
  profileEdited: [userId: string];
}

export type SystemEventName = keyof SystemEventMap;

export type SystemEventListener<K extends SystemEventName> = (...args: SystemEventMap[K]) => void;

export interface SystemEvents {
  emit<K extends SystemEventName>(name: K, ...args: SystemEventMap[K]): void;
  /** Adds a listener; returns what removes it. */
  on<K extends SystemEventName>(name: K, listener: SystemEventListener<K>): () => void;
}

/**
 * Listeners run in the order they were added, synchronously; one that throws is reported to
 * `onError` and the others still run, so one system's failure never silences another.
 */
export function createSystemEvents(
  onError: (err: unknown, name: SystemEventName) => void,
): SystemEvents {
  const listeners: { [K in SystemEventName]: Set<SystemEventListener<K>> } = {
    mailboxChanged: new Set(),
    committed: new Set(),
    targetAvailable: new Set(),
    outboxDue: new Set(),
    profileChanged: new Set(),
    profileEdited: new Set(),
  };
  return {
    emit(name, ...args) {
      for (const listener of listeners[name]) {
        try {
          listener(...args);
        } catch (err) {
          onError(err, name);
        }
      }
    },
    on(name, listener) {
      const set: Set<SystemEventListener<typeof name>> = listeners[name];
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
