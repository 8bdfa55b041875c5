// MWI from legacy voicemail systems on SMDI links (Telcordia GR-283-CORE): omnivox stands where the
// switch stands, one switch role per configured link. A station is known when a synced profile
// names it on that link (else INV), blocked while every such profile has MWI off for it (BLK).

import type { Logger } from "pino";
import { type LastCaller, type MwiReport, ZERO_COUNTS } from "../../core/mwi.ts";
import type { MwiSink, MwiSource } from "../../core/ports.ts";
import type { VoicemailSystem } from "../../core/profile.ts";
import {
  type CallForward,
  type SmdiFrameChannel,
  type SwitchRole,
  switchRole,
} from "../../protocols/smdi/index.ts";

type SmdiSystem = Extract<VoicemailSystem, { kind: "smdi" }>;

export interface SmdiSourceOptions {
  /** The links by their `smdi[]` id. */
  links: ReadonlyMap<string, SmdiFrameChannel>;
  sink: MwiSink;
  logger: Logger;
}

interface Named {
  userId: string;
  systemId: string;
  enabled: boolean;
}

const stationKey = (link: string, station: string) => `${link}\u0000${station.trim()}`;

export class SmdiMwiSource implements MwiSource<"smdi"> {
  readonly kind = "smdi" as const;
  readonly #roles = new Map<string, SwitchRole>();
  /** (link, station) → the profiles' systems that name it. */
  readonly #stations = new Map<string, Named[]>();
  readonly #byUser = new Map<string, string[]>();
  /** (link, station) → the caller of the last call detail omnivox sent for it. */
  readonly #lastCall = new Map<string, LastCaller>();
  /** Reports handed to the sink and not yet settled, for idle() to wait on. */
  readonly #pending = new Set<Promise<void>>();
  readonly #log: Logger;

  constructor(private readonly o: SmdiSourceOptions) {
    this.#log = o.logger;
    for (const [id, link] of o.links) {
      const named = (station: string) => this.#stations.get(stationKey(id, station)) ?? [];
      this.#roles.set(
        id,
        switchRole({
          id,
          link,
          logger: o.logger,
          knowsStation: (station) => named(station).length > 0,
          isBlocked: (station) => named(station).every((n) => !n.enabled),
          onMwi: (station, on) => this.#onMwi(id, station, on),
        }),
      );
    }
  }

  async sync(
    userId: string,
    systems: Array<{ system: SmdiSystem; enabled: boolean }>,
  ): Promise<void> {
    for (const key of this.#byUser.get(userId) ?? []) {
      const left = (this.#stations.get(key) ?? []).filter((n) => n.userId !== userId);
      if (left.length > 0) this.#stations.set(key, left);
      else this.#stations.delete(key);
    }
    const keys: string[] = [];
    for (const { system, enabled } of systems) {
      if (!this.#roles.has(system.link)) {
        this.#log.warn(
          { userId, systemId: system.id, link: system.link },
          "smdi: the profile names a link that is not in smdi[] of the config",
        );
        continue;
      }
      const key = stationKey(system.link, system.station);
      const list = this.#stations.get(key) ?? [];
      list.push({ userId, systemId: system.id, enabled });
      this.#stations.set(key, list);
      keys.push(key);
    }
    if (keys.length > 0) this.#byUser.set(userId, keys);
    else this.#byUser.delete(userId);
  }

  /**
   * Sends the MD call detail for a call omnivox forwards into the box on `linkId` (a deposit);
   * the caller it names becomes the station's last caller. False when the link refused it.
   */
  callDetail(linkId: string, call: CallForward): boolean {
    const role = this.#roles.get(linkId);
    if (!role) return false;
    if (!role.sendCallDetail(call)) return false;
    const caller: LastCaller = { dnis: call.forwardingStation, at: new Date() };
    if (call.callingStation) caller.ani = call.callingStation;
    this.#lastCall.set(stationKey(linkId, call.forwardingStation), caller);
    return true;
  }

  /** Resolves when every MWI command received so far has been handled and its report settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.#roles.values()].map((r) => r.idle()));
    await Promise.all([...this.#pending]);
  }

  async stop(): Promise<void> {
    for (const role of this.#roles.values()) role.stop();
    this.#roles.clear();
  }

  /**
   * Reports go to the sink as they come, not one after the other's commit: the sink keeps each
   * user's in order (MwiSink), so one link's commands for many stations share commits, and a
   * burst for one station merges there.
   */
  #onMwi(link: string, station: string, on: boolean): void {
    const key = stationKey(link, station);
    // SMDI says only "lamp on" or "lamp off": on counts as one new message.
    const report: MwiReport = { counts: on ? { ...ZERO_COUNTS, new: 1 } : { ...ZERO_COUNTS } };
    const caller = this.#lastCall.get(key);
    if (on && caller) report.lastCaller = caller;
    const targets = (this.#stations.get(key) ?? []).filter((n) => n.enabled);
    for (const n of targets) {
      const pending = this.o.sink
        .report(n.userId, n.systemId, report)
        .catch((err: unknown) => {
          this.#log.error({ ...n, err: String(err) }, "smdi: MWI report failed");
        })
        .finally(() => this.#pending.delete(pending));
      this.#pending.add(pending);
    }
  }
}
