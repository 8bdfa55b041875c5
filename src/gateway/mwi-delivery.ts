// Delivery of voicemail indicators to IM clients (README "Message waiting"): one delivery at a time
// per client, always the latest slot. Slots the MWI service just wrote are sent from memory; the
// store is read only for slots this process has not seen (after a restart) and by the retry sweep.

import type { Logger } from "pino";
import { parseAddress } from "../core/address.ts";
import { backoffDelay } from "../core/backoff.ts";
import { TargetUnavailableError } from "../core/errors.ts";
import type { IndicatorTarget } from "../core/ports.ts";
import type { MwiIndicatorRepo, MwiIndicatorSlot } from "../store/types.ts";

export type NewSlot = Omit<MwiIndicatorSlot, "deliveredVersion">;

interface Known {
  slot: NewSlot;
  /** The highest version the client confirmed. */
  delivered: number;
}

export interface IndicatorDeliveryOptions {
  repo: MwiIndicatorRepo;
  targets: readonly IndicatorTarget[];
  logger: Logger;
  /** The retry sweep's period; also caps the backoff after failed sends (12×). */
  retryMs: number;
}

const slotKey = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

export class IndicatorDelivery {
  readonly #opts: IndicatorDeliveryOptions;
  /** Per target, the latest slot of each (user, client) it stands for and what it confirmed. */
  readonly #known = new Map<string, Map<string, Known>>();
  /** Targets whose stored slots have not been read yet; read once, on their first delivery. */
  readonly #unknownTargets = new Set<string>();
  /** Targets with a delivery under way; `again` asks for one more pass when it ends. */
  readonly #delivering = new Map<string, { again: boolean }>();
  readonly #failures = new Map<string, number>();
  /**
   * Confirmations being written. Sending does not wait for them: losing one in a crash only
   * resends the latest state (same event id). Those of one turn of the event loop are written
   * as one caller of the store's group commit (one savepoint, not one each), the highest version
   * per slot only.
   */
  readonly #marking = new Set<Promise<void>>();
  #toMark: Map<string, { userId: string; clientId: string; version: number }> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: IndicatorDeliveryOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#stopped = false;
    this.#known.clear();
    this.#unknownTargets.clear();
    this.#sweep = setInterval(() => this.#retryAll(), this.#opts.retryMs);
    this.#sweep.unref();
    this.#retryAll();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#sweep) clearInterval(this.#sweep);
    await Promise.allSettled([...this.#marking]);
  }

  /** Slots just committed for one user: they replace what is in hand and go out at once. */
  committed(userId: string, slots: readonly NewSlot[], removedTargets: readonly string[]): void {
    for (const target of removedTargets) {
      const known = this.#known.get(target);
      for (const key of known?.keys() ?? []) {
        if (key.startsWith(`${userId}\u0000`)) known?.delete(key);
      }
    }
    for (const slot of slots) {
      let known = this.#known.get(slot.target);
      if (!known) {
        // Not seen before: what the store holds for it may name other slots (a shared address).
        known = new Map();
        this.#known.set(slot.target, known);
        this.#unknownTargets.add(slot.target);
      }
      const key = slotKey(slot.userId, slot.clientId);
      const had = known.get(key);
      known.set(key, { slot, delivered: had?.delivered ?? 0 });
      this.kick(slot.target);
    }
  }

  kick(target: string): void {
    if (this.#stopped) return;
    const running = this.#delivering.get(target);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.#delivering.set(target, state);
    void (async () => {
      while (state.again && !this.#stopped) {
        state.again = false;
        await this.#deliverTo(target);
      }
      this.#delivering.delete(target);
    })();
  }

  /** Reads the stored slots of a target this process has not seen, merging them under newer ones. */
  async #load(target: string): Promise<Map<string, Known> | undefined> {
    const known = this.#known.get(target);
    if (known && !this.#unknownTargets.has(target)) return known;
    let stored: MwiIndicatorSlot[];
    try {
      stored = await this.#opts.repo.undelivered(new Date(), target);
    } catch (err) {
      this.#opts.logger.error({ err, target }, "mwi: cannot read indicators");
      return undefined;
    }
    const merged = this.#known.get(target) ?? new Map<string, Known>();
    for (const slot of stored) {
      const key = slotKey(slot.userId, slot.clientId);
      const had = merged.get(key);
      if (had && had.slot.version >= slot.version) continue;
      merged.set(key, { slot, delivered: Math.max(slot.deliveredVersion, had?.delivered ?? 0) });
    }
    this.#known.set(target, merged);
    this.#unknownTargets.delete(target);
    return merged;
  }

  async #deliverTo(target: string): Promise<void> {
    const known = await this.#load(target);
    if (!known) return;
    const address = parseAddress(target);
    const adapter = this.#opts.targets.find((t) => t.handles(address));
    if (!adapter?.isAvailable(address)) return;
    for (const entry of [...known.values()]) {
      const { slot } = entry;
      if (slot.version <= entry.delivered || slot.expiresAt.getTime() <= Date.now()) continue;
      const id = `mwi-${slot.userId}-${slot.clientId}-${slot.version}`;
      try {
        await adapter.sendIndicator(address, slot.indicator, id);
        entry.delivered = Math.max(entry.delivered, slot.version);
        this.#mark(slot.userId, slot.clientId, slot.version);
        this.#failures.delete(target);
      } catch (err) {
        if (err instanceof TargetUnavailableError) continue;
        const failures = (this.#failures.get(target) ?? 0) + 1;
        this.#failures.set(target, failures);
        const delay = backoffDelay(failures, {
          initialDelayMs: 500,
          maxDelayMs: this.#opts.retryMs * 12,
        });
        this.#opts.logger.warn(
          { err, target, failures, retryInMs: delay },
          "mwi: indicator not delivered",
        );
        setTimeout(() => this.kick(target), delay).unref();
      }
    }
  }

  #mark(userId: string, clientId: string, version: number): void {
    const key = slotKey(userId, clientId);
    if (this.#toMark) {
      const had = this.#toMark.get(key);
      if (!had || had.version < version) this.#toMark.set(key, { userId, clientId, version });
      return;
    }
    const batch = new Map([[key, { userId, clientId, version }]]);
    this.#toMark = batch;
    const marking: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.#toMark = undefined;
        return this.#opts.repo.markDeliveredAll([...batch.values()]);
      })
      .catch((err: unknown) => this.#opts.logger.error({ err }, "mwi: cannot record a delivery"))
      .finally(() => this.#marking.delete(marking));
    this.#marking.add(marking);
  }

  /** Stored slots still undelivered (away clients, other processes' writes, failed sends). */
  #retryAll(): void {
    this.#opts.repo
      .undelivered(new Date())
      .then((slots) => {
        for (const target of new Set(slots.map((s) => s.target))) {
          if (!this.#failures.has(target)) this.kick(target);
        }
      })
      .catch((err) => this.#opts.logger.error({ err }, "mwi: retry sweep failed"));
  }
}
