// MWI from legacy voicemail boxes over SIP (RFC 3842 over RFC 6665): one message-summary
// subscription per (user, system) while the user has MWI on for it — SUBSCRIBE on, SUBSCRIBE
// with Expires: 0 off — plus the unsolicited NOTIFYs of configured hosts; reports to the sink.

import type { Logger } from "pino";
import type { MwiReport } from "../../core/mwi.ts";
import type { MwiSink, MwiSource } from "../../core/ports.ts";
import type { MessageSummary } from "../../protocols/mwi/index.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import type { MwiClientSubscription } from "../../protocols/sip/usage/mwi/subscriber.ts";
import type { MwiSubscriberHub } from "../../protocols/sip/usage/mwi/subscriber-hub.ts";
import { bare, HostAllowList, type Resolve } from "./host-allow.ts";
import { NotifyAuth, type UnsolicitedUdpPolicy } from "./notify-auth.ts";
import { handleUnsolicited, type SipSystem, type Watched } from "./sip-unsolicited.ts";
import { type ReportMemory, reportOf } from "./summary-report.ts";

/** Digest credentials omnivox answers a legacy host's challenges with. */
export interface SipCredential {
  host: string;
  username: string;
  password: string;
  realm?: string;
}

export interface SipSourceOptions {
  hub: MwiSubscriberHub;
  sink: MwiSink;
  logger: Logger;
  /** Seconds asked for in each SUBSCRIBE (default 3600). */
  expires?: number;
  retry?: { minMs: number; maxMs: number };
  credentials?: readonly SipCredential[];
  /**
   * Unsolicited NOTIFYs over UDP: `digest` (default) challenges them for the host's
   * credentials, `trust` takes the source address as proof (only on a network where it
   * cannot be forged).
   */
  unsolicitedUdp?: UnsolicitedUdpPolicy;
  /** Host name resolution for unsolicited NOTIFYs (tests inject one). */
  resolve?: Resolve;
  /** False: watch but do not subscribe until activate() (a cluster node that does not own them). */
  active?: boolean;
}

interface Subscribed {
  uri: string;
  sub: MwiClientSubscription;
}

const keyOf = (userId: string, systemId: string) => `${userId}\u0000${systemId}`;

export class SipMwiSource implements MwiSource<"sip"> {
  readonly kind = "sip" as const;
  readonly #watched = new Map<string, Watched[]>();
  readonly #subs = new Map<string, Map<string, Subscribed>>();
  readonly #memory = new Map<string, ReportMemory>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #stopping = new Set<Promise<void>>();
  readonly #allow: HostAllowList;
  readonly #off: () => void;
  readonly #log: Logger;
  #stopped = false;
  /** Subscribing: always on one node; in a cluster only while this node owns the subscriptions. */
  #active: boolean;

  constructor(private readonly o: SipSourceOptions) {
    this.#log = o.logger;
    this.#active = o.active ?? true;
    this.#allow = new HostAllowList(o.resolve);
    const deps = {
      allow: this.#allow,
      auth: new NotifyAuth(o.credentials ?? [], o.unsolicitedUdp ?? "digest", this.#log),
      systems: () => [...this.#watched.values()].flat(),
      summary: (w: Watched, s: MessageSummary, warnings: string[], at: Date) =>
        this.#onSummary(w.userId, w.system.id, s, warnings, at),
      logger: this.#log,
    };
    this.#off = o.hub.endpoint.onRequest(
      (req) => {
        handleUnsolicited(req, deps).catch((err: unknown) => {
          this.#log.error({ err: String(err) }, "legacy voicemail: unsolicited NOTIFY failed");
          req.transaction.respond(500);
        });
      },
      { methods: ["NOTIFY"] },
    );
  }

  async sync(
    userId: string,
    systems: Array<{ system: SipSystem; enabled: boolean }>,
  ): Promise<void> {
    if (this.#stopped) return;
    if (systems.length > 0)
      this.#watched.set(
        userId,
        systems.map((s) => ({ userId, ...s })),
      );
    else this.#watched.delete(userId);
    this.#allow.set(
      [...this.#watched.values()].flat().map((w) => bare(parseUri(w.system.uri)?.host ?? "")),
    );
    this.#reconcile(userId);
  }

  /** Starts subscribing to every watched box (this node now owns the subscriptions). */
  async activate(): Promise<void> {
    if (this.#stopped || this.#active) return;
    this.#active = true;
    for (const userId of this.#watched.keys()) this.#reconcile(userId);
  }

  /** Unsubscribes everywhere but keeps watching, for activate() to subscribe again. */
  async deactivate(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    for (const userId of [...this.#subs.keys()]) this.#reconcile(userId);
    await Promise.allSettled([...this.#stopping]);
  }

  /** Subscriptions to match what the user's profile names, or none while inactive. */
  #reconcile(userId: string): void {
    const systems = this.#active ? (this.#watched.get(userId) ?? []) : [];
    const wanted = new Map(systems.filter((s) => s.enabled).map((s) => [s.system.id, s.system]));
    const mine = this.#subs.get(userId) ?? new Map<string, Subscribed>();
    for (const [systemId, entry] of mine) {
      if (wanted.get(systemId)?.uri === entry.uri) continue;
      mine.delete(systemId);
      this.#memory.delete(keyOf(userId, systemId));
      // Not awaited: an unreachable box would hold the caller (a REST request) for 32 s.
      this.#track(entry.sub.stop());
    }
    for (const [systemId, system] of wanted) {
      if (mine.has(systemId)) continue;
      const sub = this.#subscribe(userId, system);
      if (sub) mine.set(systemId, { uri: system.uri, sub });
    }
    if (mine.size > 0) this.#subs.set(userId, mine);
    else this.#subs.delete(userId);
  }

  /** Unsubscribes everywhere (Expires: 0) and stops taking unsolicited NOTIFYs. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#off();
    for (const mine of this.#subs.values())
      for (const e of mine.values()) this.#track(e.sub.stop());
    this.#subs.clear();
    await Promise.allSettled([...this.#stopping, ...this.#chains.values()]);
  }

  #subscribe(userId: string, system: SipSystem): MwiClientSubscription | undefined {
    const host = bare(parseUri(system.uri)?.host ?? "");
    const cred = this.o.credentials?.find((c) => bare(c.host) === host);
    const log = { userId, systemId: system.id };
    try {
      return this.o.hub.subscribe({
        uri: system.uri,
        ...(this.o.expires !== undefined ? { expires: this.o.expires } : {}),
        ...(this.o.retry ? { retry: this.o.retry } : {}),
        ...(cred ? { credentials: cred } : {}),
        onSummary: (e) => this.#onSummary(userId, system.id, e.summary, e.warnings, e.receivedAt),
        onBadNotify: (error, source) =>
          this.#log.warn(
            { ...log, error, from: source.host },
            "legacy voicemail: NOTIFY refused, state kept",
          ),
      });
    } catch (err) {
      this.#log.warn(
        { ...log, uri: system.uri, err: String(err) },
        "legacy voicemail: cannot subscribe to this URI; give a sip: URI with a reachable host",
      );
      return undefined;
    }
  }

  #onSummary(
    userId: string,
    systemId: string,
    summary: MessageSummary,
    warnings: string[],
    at: Date,
  ): void {
    const key = keyOf(userId, systemId);
    const memory = this.#memory.get(key) ?? {};
    this.#memory.set(key, memory);
    const out = reportOf(summary, warnings, at, memory);
    if (!out.ok) {
      this.#log.warn(
        { userId, systemId, why: out.why, warnings },
        "legacy voicemail: message summary unusable, state kept",
      );
      return;
    }
    if (warnings.length > 0)
      this.#log.warn({ userId, systemId, warnings }, "legacy voicemail: summary lines ignored");
    this.#report(userId, systemId, out.report);
  }

  /**
   * Reports go to the sink as they come: it keeps them in order (MwiSink), so a burst of NOTIFYs
   * for one box can merge there instead of waiting here one by one. Only the latest per system
   * is kept, for stop to wait on.
   */
  #report(userId: string, systemId: string, report: MwiReport): void {
    const key = keyOf(userId, systemId);
    const next = this.o.sink
      .report(userId, systemId, report)
      .catch((err: unknown) =>
        this.#log.error({ userId, systemId, err: String(err) }, "legacy voicemail: report failed"),
      );
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  #track(p: Promise<void>): void {
    const tracked = p
      .catch((err: unknown) =>
        this.#log.warn({ err: String(err) }, "legacy voicemail: unsubscribe failed"),
      )
      .finally(() => this.#stopping.delete(tracked));
    this.#stopping.add(tracked);
  }
}
