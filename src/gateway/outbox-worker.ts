// The outbox worker: takes due deliveries from the durable outbox and sends them concurrently,
// retrying per target with backoff and jitter, holding deliveries whose target is unavailable,
// and failing them with the reason after the last attempt. Restart resumes all (in a cluster, as
// their leases lapse); at start and then hourly it also sweeps audio that no committed row names
// (gateway/orphan-audio.ts).

import type { Logger } from "pino";
import { type Address, parseAddress } from "../core/address.ts";
import { backoffDelay } from "../core/backoff.ts";
import type { Communication } from "../core/communication.ts";
import type { Delivery } from "../core/delivery.ts";
import { DeliveryError, OmnivoxError, TargetUnavailableError } from "../core/errors.ts";
import type { Profile } from "../core/profile.ts";
import type { Rendition } from "../core/rendition.ts";
import { optionsOf, type RouteOptions, routeFor } from "../core/routing.ts";
import type { Store } from "../store/types.ts";
import type { AdapterRegistry } from "./adapter-registry.ts";
import { type ConverterRegistry, styleOf } from "./convert/registry.ts";
import { ORPHAN_AUDIO_GRACE_MS, sweepOrphanAudio } from "./orphan-audio.ts";
import { OutboxSlots } from "./outbox-slots.ts";
import { RenditionCache } from "./rendition-cache.ts";

export interface OutboxOptions {
  concurrency: number;
  /**
   * Most deliveries to one target under way at once (default a quarter of `concurrency`, at
   * least 2): a target that stalls keeps that many slots, and the rest serve everyone else.
   */
  perTargetConcurrency?: number;
  /**
   * Most deliveries to one target written and waiting for its confirmation, beside those
   * (default 64): they hold no slot (outbox-slots.ts).
   */
  perTargetAwaiting?: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  holdMs: number;
  /**
   * Other nodes' workers share this outbox (cluster mode): a row inflight at start may be under
   * way on a live node, so it is left to its lease; without it, start takes every inflight row
   * back, since no other process can be working on it.
   */
  clustered?: boolean;
  /** How often the worker looks for due rows without being woken (retries, lease expiry). */
  pollMs?: number;
  /** How old unnamed deposit audio must be before it is swept (default one hour). */
  orphanAudioGraceMs?: number;
}

const SWEEP_EVERY_MS = 60 * 60_000;

/** What the worker reports, for metrics. */
export interface OutboxObserver {
  attempt(scheme: string, result: "delivered" | "retry" | "held" | "failed"): void;
  delivered(scheme: string, latencySeconds: number): void;
}

export interface OutboxWorkerDeps {
  store: Store;
  adapters: AdapterRegistry;
  converters: ConverterRegistry;
  logger: Logger;
  options: OutboxOptions;
  observer?: OutboxObserver;
  /** Shared with the receiver, which claims into them at receive time; made here when absent. */
  slots?: OutboxSlots;
}

export class OutboxWorker {
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #renditions = new RenditionCache(512);
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  /** False once a claim found fewer due rows than it could take, until the next wake. */
  #maybeDue = true;
  #wakes = 0;
  #again = false;
  #running = false;
  #lastExpiry = 0;
  #lastSweep = 0;
  /** Where the next orphan sweep starts; undefined until the first has run. */
  #sweptUpTo: Date | undefined;
  #sweeping: Promise<void> | undefined;

  readonly #slots: OutboxSlots;

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.#slots = deps.slots ?? new OutboxSlots(deps.options);
  }

  async start(): Promise<void> {
    this.#running = true;
    const requeued = this.deps.options.clustered
      ? 0
      : await this.deps.store.outbox.requeueInflight(new Date());
    if (requeued > 0)
      this.deps.logger.info(
        { requeued },
        "outbox: resuming deliveries interrupted by the last stop",
      );
    this.wake();
  }

  /** Look for work now: rows may have become due (a commit, a release, the poll timer). */
  wake(): void {
    this.#wakes++;
    this.#maybeDue = true;
    this.#kick();
  }

  /**
   * Runs the pump without saying anything became due: a slot freed. It claims only while rows
   * may be waiting, so a finished delivery costs no claim query when the outbox is empty.
   */
  #kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  /** A target came back (a web client connected): its held deliveries are due now. */
  async release(target: string): Promise<void> {
    const n = await this.deps.store.outbox.releaseHeld(target, new Date());
    if (n > 0) this.wake();
  }

  /** Stops taking work and waits for the deliveries under way (SIGTERM). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inflight.values(), this.#sweeping]);
  }

  /** Sweeps orphaned audio beside the deliveries, never holding them up. */
  #sweepOrphans(now: Date): void {
    if (this.#sweeping || now.getTime() - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now.getTime();
    const { store, logger, options } = this.deps;
    this.#sweeping = sweepOrphanAudio(
      store,
      now,
      options.orphanAudioGraceMs ?? ORPHAN_AUDIO_GRACE_MS,
      this.#sweptUpTo,
    )
      .then(
        ({ swept, upTo }) => {
          this.#sweptUpTo = upTo;
          if (swept.length > 0) logger.info({ swept: swept.length }, "swept orphaned audio");
        },
        (err: unknown) => logger.warn({ err }, "cannot sweep orphaned audio; trying again later"),
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    const { store, options, logger } = this.deps;
    try {
      do {
        this.#again = false;
        const now = new Date();
        this.#sweepOrphans(now);
        if (now.getTime() - this.#lastExpiry > 60_000) {
          this.#lastExpiry = now.getTime();
          const expired = await store.outbox.expireDue(now);
          if (expired > 0)
            logger.warn({ expired }, "outbox: deliveries expired before their target came back");
        }
        const free = this.#slots.free;
        if (free <= 0 || !this.#maybeDue) break;
        const wakes = this.#wakes;
        const claimed = await store.outbox.claimDue(now, free, options.leaseMs, this.#slots.cap());
        for (const d of claimed) this.#launch(d);
        if (claimed.length === free) this.#again = true;
        else if (wakes === this.#wakes) this.#maybeDue = false;
      } while (this.#again && this.#running);
    } catch (err) {
      logger.error({ err }, "outbox: cannot read the outbox; trying again shortly");
    } finally {
      this.#pumping = false;
      this.#schedule();
    }
  }

  /**
   * The poll: retries and lapsed leases become due with no event. It runs every pollMs whatever
   * the traffic — pushed back by each pump, a busy outbox would never look for them.
   */
  #schedule(): void {
    if (!this.#running || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.wake();
    }, this.deps.options.pollMs ?? 1000);
    this.#timer.unref();
  }

  #launch(d: Delivery): void {
    // Ours already and still under way: either its lease lapsed while the event loop was busy,
    // or its retry was written in the same commit as this claim and the run has not yet let go.
    // Running it now could deliver twice. Once that run ends, the row says which it was: still
    // inflight with this claim's attempt means the claim is ours to run.
    const running = this.#inflight.get(d.id);
    if (running) {
      void running.then(async () => {
        const row = await this.deps.store.outbox.get(d.id).catch(() => undefined);
        if (row?.state === "inflight" && row.attempts === d.attempts) this.#launch(row);
      });
      return;
    }
    this.#slots.hold(d.target);
    this.#run(d);
  }

  /**
   * Deliveries the receiver claimed in the transaction that stored `c`, each in a slot it took:
   * they start now, with the communication in hand instead of read back.
   */
  adopt(c: Communication, claimed: readonly Delivery[]): void {
    for (const d of claimed) {
      if (!this.#running || this.#inflight.has(d.id)) {
        // Stopping: the row stays leased, and the next start (or another node) resumes it.
        this.#slots.give(d.target);
        continue;
      }
      this.#run(d, c);
    }
  }

  /**
   * Runs `d` in the slot already taken for it, and gives the slot back when it ends — or as
   * soon as the adapter says the message is written and only the target's confirmation is left,
   * when a waiting place is free (outbox-slots.ts).
   */
  #run(d: Delivery, given?: Communication): void {
    let waiting = false;
    const written = (): void => {
      if (waiting) return;
      const full = this.#slots.full(d.target);
      if (!this.#slots.await(d.target)) return;
      waiting = true;
      this.#freed(full);
    };
    const run = this.#deliver(d, given, written)
      .catch((err) =>
        this.deps.logger.error({ err, deliveryId: d.id }, "outbox: delivery bookkeeping failed"),
      )
      .finally(() => {
        this.#inflight.delete(d.id);
        const full = this.#slots.full(d.target);
        if (waiting) this.#slots.settle(d.target);
        else this.#slots.give(d.target);
        this.#freed(full);
      });
    this.#inflight.set(d.id, run);
  }

  /** A slot or waiting place was given back; `full` says whether its target's share was used up. */
  #freed(full: boolean): void {
    // A claim made while the share was used up passed over its due rows, and nothing else will
    // say they are due: look again now, not at the next poll.
    if (full) this.#maybeDue = true;
    this.#kick();
  }

  async #deliver(
    d: Delivery,
    given: Communication | undefined,
    written: () => void,
  ): Promise<void> {
    const { store, adapters, logger, observer } = this.deps;
    const scheme = d.target.slice(0, Math.max(0, d.target.indexOf(":")));
    const log = logger.child({
      deliveryId: d.id,
      communicationId: d.communicationId,
      target: d.target,
    });
    try {
      const address = parseAddress(d.target);
      const communication = given ?? (await store.communications.get(d.communicationId));
      if (!communication) throw new DeliveryError("the communication no longer exists", true);
      const adapter = adapters.for(address);
      if (!adapter) throw new DeliveryError(`no adapter can send to ${scheme}: addresses`, true);
      const rendition = await this.#render(communication, d);
      const references = await this.#references(communication, scheme);
      const nativeId = await this.#whileLeased(d, log, () =>
        adapter.send(communication, rendition, {
          deliveryId: d.id,
          address,
          attempt: d.attempts,
          references,
          written,
        }),
      );
      const now = new Date();
      // One commit (shared with others' by group commit): the outcome and the id it was given.
      await store.transaction(async (tx) => {
        await tx.outbox.markDelivered(d.id, now, nativeId);
        if (nativeId && repliesName(scheme))
          await tx.communications.addNativeId(communication.id, nativeSystem(scheme), nativeId);
      });
      observer?.attempt(scheme, "delivered");
      observer?.delivered(scheme, (now.getTime() - communication.receivedAt.getTime()) / 1000);
      log.debug({ attempt: d.attempts }, "delivered");
    } catch (err) {
      await this.#failed(d, err, scheme, log);
    }
  }

  /**
   * Keeps the row's lease alive while `work` runs, so a delivery that takes longer than
   * outbox.leaseMs (a long message played by phone) is not taken again by a second worker.
   */
  async #whileLeased<T>(d: Delivery, log: Logger, work: () => Promise<T>): Promise<T> {
    const { leaseMs } = this.deps.options;
    const timer = setInterval(
      () => {
        this.deps.store.outbox
          .renewLease(d.id, new Date(Date.now() + leaseMs))
          .catch((err: unknown) => log.warn({ err }, "cannot renew the delivery's lease"));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Closes the race between "target unavailable" and the target coming back before the hold. */
  async #releaseIfBack(d: Delivery): Promise<void> {
    let address: Address;
    try {
      address = parseAddress(d.target);
    } catch {
      return;
    }
    if (this.deps.adapters.for(address)?.isAvailable?.(address)) await this.release(d.target);
  }

  async #failed(d: Delivery, err: unknown, scheme: string, log: Logger): Promise<void> {
    const { store, options, observer } = this.deps;
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof TargetUnavailableError) {
      const expiresAt = d.expiresAt ?? new Date(Date.now() + options.holdMs);
      await store.outbox.hold(d.id, reason, expiresAt);
      observer?.attempt(scheme, "held");
      log.debug({ reason }, "target unavailable; held");
      await this.#releaseIfBack(d);
      return;
    }
    // An untyped error (a bug, a library's own) may pass; a typed one says whether it may.
    const permanent = err instanceof OmnivoxError && !err.transient;
    if (permanent || d.attempts >= options.maxAttempts) {
      await store.outbox.markFailed(d.id, reason);
      observer?.attempt(scheme, "failed");
      log.warn({ reason, attempts: d.attempts }, "delivery failed");
      return;
    }
    // A target's Retry-After is honoured up to the longest backoff: past it, a hostile or broken
    // target could park a delivery for ever.
    const asked = err instanceof DeliveryError ? (err.retryAfterMs ?? 0) : 0;
    const delay = Math.max(
      backoffDelay(d.attempts, {
        initialDelayMs: options.backoffBaseMs,
        maxDelayMs: options.backoffMaxMs,
      }),
      Math.min(asked, options.backoffMaxMs),
    );
    await store.outbox.markRetry(d.id, reason, new Date(Date.now() + delay));
    observer?.attempt(scheme, "retry");
    log.info({ reason, attempt: d.attempts, retryInMs: delay }, "delivery will be retried");
  }

  /** Renders with the route options stored with the delivery: the decision receive made. */
  async #render(c: Communication, d: Delivery): Promise<Rendition> {
    const style = styleOf(parseAddress(d.target));
    const key = `${c.id}/${style}/${JSON.stringify(d.route ?? null)}`;
    return this.#renditions.get(key, async () => {
      const user = await this.deps.store.users.get(c.userId);
      if (!user) throw new DeliveryError(`user ${c.userId} no longer exists`, true);
      return this.deps.converters.convert(
        c,
        parseAddress(d.target),
        user.profile,
        d.route ?? legacyRouteOptions(c, user.profile),
      );
    });
  }

  /** Native ids of the thread's earlier messages on the target's system, oldest first (email References). */
  async #references(c: Communication, scheme: string): Promise<string[]> {
    const system = nativeSystem(scheme);
    const chain: string[] = [];
    let parentId = c.thread.parentId;
    for (let depth = 0; parentId && depth < 20; depth++) {
      const ids = await this.deps.store.communications.nativeIdsOf(parentId);
      const own = ids.filter((i) => i.system === system).map((i) => i.nativeId);
      chain.unshift(...own);
      parentId = (await this.deps.store.communications.get(parentId))?.thread.parentId;
    }
    return chain;
  }
}

/** A row written before deliveries kept their route options: matched as receive would have. */
function legacyRouteOptions(c: Communication, profile: Profile): RouteOptions {
  return optionsOf(routeFor(c.kind, profile));
}

/**
 * Whether a reply on this scheme's system may name the id its adapter gave the message, so the
 * communication must be found by it: a mail's Message-ID (In-Reply-To), a chat's stanza id
 * (XEP-0461), a call's. Otherwise the id stays on the delivery alone: a web client's event id
 * is the delivery's own and its reply names the communication (inReplyTo); an app's id names
 * no message, and one app may give the same id twice.
 */
function repliesName(scheme: string): boolean {
  return scheme !== "web" && scheme !== "webhook";
}

/** The system whose native ids a scheme's adapter returns. */
function nativeSystem(scheme: string): string {
  return scheme === "mailto" ? "email" : scheme === "xmpp" || scheme === "web" ? "im" : "pstn";
}
