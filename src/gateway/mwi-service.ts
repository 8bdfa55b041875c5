// The MWI service (README "Message waiting"): sources report per-system state, the service
// keeps one row per (user, system), recomputes the aggregate and pushes a voicemail indicator to
// every IM client of the user. Indicators are state, not messages: each client has one slot that
// a newer state overwrites (mwi_indicators), so an away client gets exactly the latest on return.
// Reports for one (user, system) that queue behind the one being applied are merged: the latest
// state is written once, with one indicator per client.

import type { Logger } from "pino";
import { type Address, formatAddress } from "../core/address.ts";
import { NotFoundError } from "../core/errors.ts";
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
import { IndicatorDelivery, type NewSlot } from "./mwi-delivery.ts";

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
  /**
   * Other processes change the same users' MWI (the nodes of a cluster, docs/cluster.md): state
   * rows are read from the store each time instead of kept in hand, and versions come from the
   * store's counter instead of this process's.
   */
  shared?: boolean;
}

export interface MwiSnapshot {
  total: MwiCounts;
  systems: SystemFields[];
}

/** A later report replaces an earlier one; its last caller only when it names one. */
function merged(earlier: MwiReport, later: MwiReport): MwiReport {
  const lastCaller = later.lastCaller ?? earlier.lastCaller;
  return { ...later, ...(lastCaller ? { lastCaller } : {}) };
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
  readonly #delivery: IndicatorDelivery;
  /** Per-user chain: reports and switches for one user apply in arrival order. */
  readonly #chains = new Map<string, Promise<void>>();
  /** Reports queued on a user's chain and not yet started, per (user, system): later ones merge in. */
  readonly #queued = new Map<string, { report: MwiReport; done: Promise<void> }>();
  /** An internal recount queued and not yet started, per user: it reads the counts when it runs. */
  readonly #recounts = new Map<string, Promise<void>>();
  /**
   * What the store holds, kept in hand: only this service writes a user's MWI rows and versions,
   * and only inside the user's chain. Profiles are dropped by profileChanged.
   */
  readonly #profiles = new Map<string, Profile>();
  readonly #rows = new Map<string, MwiStateRow[]>();
  readonly #versions = new Map<string, number>();
  /** The client targets of each user's last commit, to forget removed clients' slots. */
  readonly #targets = new Map<string, string[]>();

  constructor(opts: MwiServiceOptions) {
    this.#opts = opts;
    this.#sources = [...opts.sources];
    this.#delivery = new IndicatorDelivery({
      repo: opts.store.mwiIndicators,
      targets: opts.targets,
      logger: opts.logger,
      retryMs: opts.retryMs,
    });
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
    this.#profiles.clear();
    this.#rows.clear();
    this.#versions.clear();
    this.#targets.clear();
    this.#delivery.start();
    for (const profile of await this.#opts.store.users.list()) {
      this.#profiles.set(profile.id, profile);
      await this.#syncSources(profile.id, profile);
      // Messages deposited or deleted while we were down change the counts without an event.
      await this.internalChanged(profile.id);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#chains.values()]);
    await this.#delivery.stop();
  }

  report(userId: string, systemId: string, report: MwiReport): Promise<void> {
    const key = `${userId}\u0000${systemId}`;
    const queued = this.#queued.get(key);
    if (queued) {
      queued.report = merged(queued.report, report);
      return queued.done;
    }
    const entry = { report, done: Promise.resolve() };
    this.#queued.set(key, entry);
    entry.done = this.#serial(userId, async () => {
      // From here on a new report queues behind this one instead of merging into it.
      this.#queued.delete(key);
      await this.#apply(await this.#profile(userId), userId, systemId, entry.report);
    });
    return entry.done;
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
    const rows = await this.#rowsOf(userId);
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
    const queued = this.#recounts.get(userId);
    if (queued) return queued;
    const done = this.#serial(userId, async () => {
      this.#recounts.delete(userId);
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
    this.#recounts.set(userId, done);
    return done;
  }

  /** PUT /users/:id/mwi/:systemId: switches the system and commands it (via its source). */
  setEnabled(userId: string, systemId: string, enabled: boolean): Promise<MwiSnapshot> {
    return this.#serial(userId, async () => {
      const profile = await this.#profile(userId);
      if (!profile) throw new NotFoundError(`no user "${userId}"`);
      if (!profile.voicemailSystems.some((s) => s.id === systemId)) {
        throw new NotFoundError(`user "${userId}" has no voicemail system "${systemId}"`);
      }
      this.#rows.delete(userId);
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
    // Outside the user's chain: rows in hand are current, but rows read here are not kept.
    const held = this.#opts.shared ? undefined : this.#rows.get(userId);
    const rows = held ?? (await this.#opts.store.mwi.listForUser(userId));
    return this.#snapshotOf(profile, rows);
  }

  /** A profile was created, changed or deleted: sources follow it, clients get a fresh indicator. */
  profileChanged(userId: string): Promise<void> {
    this.#profiles.delete(userId);
    return this.#serial(userId, async () => {
      this.#profiles.delete(userId);
      const profile = await this.#profile(userId);
      await this.#syncSources(userId, profile);
      if (!profile) {
        this.#rows.delete(userId);
        await this.#opts.store.mwiIndicators.retain(userId, []);
        this.#delivery.committed(userId, [], this.#targets.get(userId) ?? []);
        this.#targets.delete(userId);
        return;
      }
      await this.#publish(profile);
    }).then(() => this.internalChanged(userId));
  }

  /** An IM client came back (web client connected, XMPP presence available). */
  clientAvailable(address: Address): void {
    this.#delivery.kick(formatAddress(address));
  }

  async #snapshotOf(profile: Profile, rows?: MwiStateRow[]): Promise<MwiSnapshot> {
    const states = this.#states(profile, rows ?? (await this.#rowsOf(profile.id)));
    const ind = indicatorFor(profile, { id: "api", kind: "web" }, states, 0, new Date());
    return { total: aggregate(states).total, systems: ind.systems };
  }

  #states(profile: Profile, rows: readonly MwiStateRow[]): MwiSystemState[] {
    const kinds = new Map(profile.voicemailSystems.map((s) => [s.id, s.kind]));
    const stored = rows.flatMap((r) => {
      const kind = kinds.get(r.systemId);
      return kind ? [stateOf(r, kind)] : [];
    });
    return statesForProfile(profile, stored, new Date());
  }

  /**
   * Writes the changed state row (if any) and a new indicator for every client in one
   * transaction — one disk sync per change, shared with concurrent writers when the store groups
   * commits — then hands the slots to delivery. `rows` are the user's rows after the change.
   */
  async #publish(profile: Profile, rows?: MwiStateRow[], changed?: MwiStateRow): Promise<void> {
    const { store } = this.#opts;
    const after = rows ?? (await this.#rowsOf(profile.id));
    const wanted = profile.mwi.enabled && profile.imClients.length > 0;
    const states = wanted ? this.#states(profile, after) : [];
    const version = wanted ? await this.#nextVersion(profile.id) : 0;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.#opts.indicatorTtlMs);
    const slots: NewSlot[] = wanted
      ? profile.imClients.map((client) => ({
          userId: profile.id,
          clientId: client.id,
          target: formatAddress(imClientAddress(profile.id, client)),
          version,
          indicator: indicatorFor(profile, client, states, version, now),
          expiresAt,
        }))
      : [];
    const targets = slots.map((s) => s.target);
    const before = this.#targets.get(profile.id);
    // Other clients' slots need removing only when the clients may have changed.
    const sameClients =
      before?.length === targets.length && before.every((t, i) => t === targets[i]);
    try {
      await store.mwiIndicators.commit(profile.id, slots, changed, !sameClients);
    } catch (err) {
      // What is in hand may no longer be what the store holds; read it again next time.
      this.#rows.delete(profile.id);
      throw err;
    }
    if (!this.#opts.shared) this.#rows.set(profile.id, after);
    const removed = (before ?? []).filter((t) => !targets.includes(t));
    this.#targets.set(profile.id, targets);
    this.#opts.onChange?.(profile);
    this.#delivery.committed(profile.id, slots, removed);
  }

  async #rowsOf(userId: string): Promise<MwiStateRow[]> {
    const held = this.#opts.shared ? undefined : this.#rows.get(userId);
    if (held) return held;
    const rows = await this.#opts.store.mwi.listForUser(userId);
    if (!this.#opts.shared) this.#rows.set(userId, rows);
    return rows;
  }

  /**
   * Versions come from the store once per user, then from memory: changes for one user are
   * serial (#serial), so the counter cannot race within this process. Shared: from the store's
   * counter every time, since other nodes take versions too.
   */
  async #nextVersion(userId: string): Promise<number> {
    if (this.#opts.shared) return this.#opts.store.mwiIndicators.takeVersion(userId);
    const next =
      this.#versions.get(userId) ?? (await this.#opts.store.mwiIndicators.nextVersion(userId));
    this.#versions.set(userId, next + 1);
    return next;
  }

  async #syncSources(userId: string, profile: Profile | undefined): Promise<void> {
    const rows = profile ? await this.#rowsOf(userId) : [];
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

  async #profile(userId: string): Promise<Profile | undefined> {
    const held = this.#profiles.get(userId);
    if (held) return held;
    const profile = (await this.#opts.store.users.get(userId))?.profile;
    // A missing user is not remembered: one created meanwhile must be found.
    if (profile) this.#profiles.set(userId, profile);
    return profile;
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
