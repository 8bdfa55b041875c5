// The MWI service (README "Message waiting"): sources report per-system state, the service
// keeps one row per (user, system), recomputes the aggregate and pushes a voicemail indicator to
// every IM client of the user. Indicators are state, not messages: each client has one slot that
// a newer state overwrites (mwi_indicators), so an away client gets exactly the latest on return.

import type { Logger } from "pino";
import { type Address, formatAddress, parseAddress } from "../core/address.ts";
import { backoffDelay } from "../core/backoff.ts";
import { NotFoundError, TargetUnavailableError } from "../core/errors.ts";
import {
  aggregate,
  changes,
  indicatorFor,
  type MwiCounts,
  type MwiReport,
  type MwiSystemState,
  type SystemFields,
  statesForProfile,
} from "../core/mwi.ts";
import type { IndicatorTarget, MwiSink, MwiSource } from "../core/ports.ts";
import { imClientAddress, type Profile, type VoicemailSystem } from "../core/profile.ts";
import type { MwiStateRow, Store } from "../store/types.ts";

export interface MwiServiceOptions {
  store: Store;
  logger: Logger;
  /** Sources known at construction; more may be added before start (addSources). */
  sources: readonly MwiSource[];
  targets: readonly IndicatorTarget[];
  /** How long an undelivered indicator is kept for an away client. */
  indicatorTtlMs: number;
  /** How often undelivered indicators to available clients are tried again. */
  retryMs: number;
  /** Called after every stored change of a user's state (the phones' MWI follows it). */
  onChange?: (profile: Profile) => void;
}

export interface MwiSnapshot {
  total: MwiCounts;
  systems: SystemFields[];
}

function stateOf(row: MwiStateRow, kind: VoicemailSystem["kind"]): MwiSystemState {
  return {
    systemId: row.systemId,
    kind,
    enabled: row.enabled,
    new: row.newCount,
    old: row.oldCount,
    urgentNew: row.urgentNew,
    urgentOld: row.urgentOld,
    ...(row.lastCaller ? { lastCaller: row.lastCaller } : {}),
    updatedAt: row.updatedAt,
  };
}

export class MwiService implements MwiSink {
  readonly #opts: MwiServiceOptions;
  readonly #sources: MwiSource[];
  /** Per-user chain: reports and switches for one user apply in arrival order. */
  readonly #chains = new Map<string, Promise<void>>();
  /** Targets with a delivery under way; `again` asks for one more pass when it ends. */
  readonly #delivering = new Map<string, { again: boolean }>();
  readonly #failures = new Map<string, number>();
  readonly #versions = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: MwiServiceOptions) {
    this.#opts = opts;
    this.#sources = [...opts.sources];
  }

  /**
   * Sources that need a running SIP endpoint join after construction, before start. Their owner
   * stops them; the service only syncs them.
   */
  addSources(sources: readonly MwiSource[]): void {
    this.#sources.push(...sources);
  }

  /** Tells every source what to watch, brings our own store's counts in, sends what waits. */
  async start(): Promise<void> {
    this.#stopped = false;
    for (const profile of await this.#opts.store.users.list()) {
      await this.#syncSources(profile.id, profile);
      // Messages deposited or deleted while we were down change the counts without an event.
      await this.internalChanged(profile.id);
    }
    this.#sweep = setInterval(() => this.#retryAll(), this.#opts.retryMs);
    this.#sweep.unref();
    this.#retryAll();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#sweep) clearInterval(this.#sweep);
    await Promise.allSettled([...this.#chains.values()]);
  }

  report(userId: string, systemId: string, report: MwiReport): Promise<void> {
    return this.#serial(userId, async () => {
      await this.#apply(await this.#profile(userId), userId, systemId, report);
    });
  }

  /** One report, for a profile already read (inside the user's #serial chain). */
  async #apply(
    profile: Profile | undefined,
    userId: string,
    systemId: string,
    report: MwiReport,
  ): Promise<void> {
    const system = profile?.voicemailSystems.find((s) => s.id === systemId);
    if (!profile || !system) {
      this.#opts.logger.warn({ userId, systemId }, "mwi: report for a system no profile names");
      return;
    }
    const rows = await this.#opts.store.mwi.listForUser(userId);
    const row = rows.find((r) => r.systemId === systemId);
    const state = row ? stateOf(row, system.kind) : undefined;
    if (state && !state.enabled) return;
    if (!changes(state, report)) return;
    const lastCaller = report.lastCaller ?? state?.lastCaller;
    const changed: MwiStateRow = {
      userId,
      systemId,
      newCount: report.counts.new,
      oldCount: report.counts.old,
      urgentNew: report.counts.urgentNew,
      urgentOld: report.counts.urgentOld,
      enabled: true,
      ...(lastCaller ? { lastCaller } : {}),
      updatedAt: new Date(),
    };
    await this.#publish(profile, [...rows.filter((r) => r !== row), changed], changed);
  }

  /** Our own store changed for the user (deposit, REST, phone): its counts and newest caller. */
  internalChanged(userId: string): Promise<void> {
    return this.#serial(userId, async () => {
      const profile = await this.#profile(userId);
      const internal = profile?.voicemailSystems.filter((s) => s.kind === "internal") ?? [];
      if (internal.length === 0) return;
      const counts = await this.#opts.store.voicemail.counts(userId);
      const [newest] = await this.#opts.store.voicemail.list(userId, { limit: 1 });
      const report: MwiReport = { counts };
      if (newest) {
        report.lastCaller = {
          at: newest.receivedAt,
          ...(newest.ani !== undefined ? { ani: newest.ani } : {}),
          ...(newest.dnis !== undefined ? { dnis: newest.dnis } : {}),
        };
      }
      for (const system of internal) await this.#apply(profile, userId, system.id, report);
    });
  }

  /** PUT /users/:id/mwi/:systemId: switches the system and commands it (via its source). */
  setEnabled(userId: string, systemId: string, enabled: boolean): Promise<MwiSnapshot> {
    return this.#serial(userId, async () => {
      const profile = await this.#profile(userId);
      if (!profile) throw new NotFoundError(`no user "${userId}"`);
      if (!profile.voicemailSystems.some((s) => s.id === systemId)) {
        throw new NotFoundError(`user "${userId}" has no voicemail system "${systemId}"`);
      }
      await this.#opts.store.mwi.setEnabled(userId, systemId, enabled);
      await this.#syncSources(userId, profile);
      await this.#publish(profile);
      this.#opts.logger.info({ userId, systemId, enabled }, "mwi switched");
      return this.#snapshotOf(profile);
    });
  }

  async snapshot(userId: string): Promise<MwiSnapshot> {
    const profile = await this.#profile(userId);
    if (!profile) throw new NotFoundError(`no user "${userId}"`);
    return this.#snapshotOf(profile);
  }

  /** A profile was created, changed or deleted: sources follow it, clients get a fresh indicator. */
  profileChanged(userId: string): Promise<void> {
    return this.#serial(userId, async () => {
      const profile = await this.#profile(userId);
      await this.#syncSources(userId, profile);
      if (!profile) {
        await this.#opts.store.mwiIndicators.retain(userId, []);
        return;
      }
      await this.#publish(profile);
    }).then(() => this.internalChanged(userId));
  }

  /** An IM client came back (web client connected, XMPP presence available). */
  clientAvailable(address: Address): void {
    this.#kick(formatAddress(address));
  }

  async #snapshotOf(profile: Profile): Promise<MwiSnapshot> {
    const states = await this.#states(profile);
    const ind = indicatorFor(profile, { id: "api", kind: "web" }, states, 0, new Date());
    return { total: aggregate(states).total, systems: ind.systems };
  }

  async #states(profile: Profile, given?: MwiStateRow[]): Promise<MwiSystemState[]> {
    const kinds = new Map(profile.voicemailSystems.map((s) => [s.id, s.kind]));
    const rows = given ?? (await this.#opts.store.mwi.listForUser(profile.id));
    const stored = rows.flatMap((r) => {
      const kind = kinds.get(r.systemId);
      return kind ? [stateOf(r, kind)] : [];
    });
    return statesForProfile(profile, stored, new Date());
  }

  /**
   * Writes the changed state row (if any) and a new indicator for every client in one
   * transaction — one disk sync per change — then starts their delivery. `rows` are the user's
   * rows as they are after the change (read again when not given).
   */
  async #publish(profile: Profile, rows?: MwiStateRow[], changed?: MwiStateRow): Promise<void> {
    const { store } = this.#opts;
    const wanted = profile.mwi.enabled && profile.imClients.length > 0;
    const states = wanted ? await this.#states(profile, rows) : [];
    const version = wanted ? await this.#nextVersion(profile.id) : 0;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.#opts.indicatorTtlMs);
    const slots = wanted
      ? profile.imClients.map((client) => ({
          userId: profile.id,
          clientId: client.id,
          target: formatAddress(imClientAddress(profile.id, client)),
          version,
          indicator: indicatorFor(profile, client, states, version, now),
          expiresAt,
        }))
      : [];
    await store.mwiIndicators.commit(profile.id, slots, changed);
    this.#opts.onChange?.(profile);
    for (const slot of slots) this.#kick(slot.target);
  }

  /**
   * Versions come from the store once per user, then from memory: changes for one user are
   * serial (#serial), so the counter cannot race within this process.
   */
  async #nextVersion(userId: string): Promise<number> {
    const next =
      this.#versions.get(userId) ?? (await this.#opts.store.mwiIndicators.nextVersion(userId));
    this.#versions.set(userId, next + 1);
    return next;
  }

  async #syncSources(userId: string, profile: Profile | undefined): Promise<void> {
    const rows = profile ? await this.#opts.store.mwi.listForUser(userId) : [];
    const enabled = new Map(rows.map((r) => [r.systemId, r.enabled]));
    for (const source of this.#sources) {
      const systems = (profile?.voicemailSystems ?? [])
        .filter((s) => s.kind === source.kind)
        .map((system) => ({ system, enabled: enabled.get(system.id) ?? true }));
      try {
        await source.sync(userId, systems as Parameters<typeof source.sync>[1]);
      } catch (err) {
        this.#opts.logger.error({ err, userId, source: source.kind }, "mwi: source sync failed");
      }
    }
  }

  #kick(target: string): void {
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

  async #deliverTo(target: string): Promise<void> {
    const { store, logger } = this.#opts;
    let slots: Awaited<ReturnType<typeof store.mwiIndicators.undelivered>>;
    try {
      slots = await store.mwiIndicators.undelivered(new Date(), target);
    } catch (err) {
      logger.error({ err, target }, "mwi: cannot read indicators");
      return;
    }
    for (const slot of slots) {
      const address = parseAddress(slot.target);
      const adapter = this.#opts.targets.find((t) => t.handles(address));
      if (!adapter?.isAvailable(address)) continue;
      const id = `mwi-${slot.userId}-${slot.clientId}-${slot.version}`;
      try {
        await adapter.sendIndicator(address, slot.indicator, id);
        await store.mwiIndicators.markDelivered(slot.userId, slot.clientId, slot.version);
        this.#failures.delete(target);
      } catch (err) {
        if (err instanceof TargetUnavailableError) continue;
        const failures = (this.#failures.get(target) ?? 0) + 1;
        this.#failures.set(target, failures);
        const delay = backoffDelay(failures, {
          initialDelayMs: 500,
          maxDelayMs: this.#opts.retryMs * 12,
        });
        logger.warn({ err, target, failures, retryInMs: delay }, "mwi: indicator not delivered");
        setTimeout(() => this.#kick(target), delay).unref();
      }
    }
  }

  #retryAll(): void {
    this.#opts.store.mwiIndicators
      .undelivered(new Date())
      .then((slots) => {
        for (const target of new Set(slots.map((s) => s.target))) {
          if (!this.#failures.has(target)) this.#kick(target);
        }
      })
      .catch((err) => this.#opts.logger.error({ err }, "mwi: retry sweep failed"));
  }

  async #profile(userId: string): Promise<Profile | undefined> {
    return (await this.#opts.store.users.get(userId))?.profile;
  }

  #serial<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(userId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(userId, tail);
    void tail.then(() => {
      if (this.#chains.get(userId) === tail) this.#chains.delete(userId);
    });
    return next;
  }
}
