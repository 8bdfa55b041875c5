// Session timers for the answering side (RFC 4028): when the caller asks with Session-Expires,
// the 2xx names the interval and who refreshes; a value below our minimum gets 422 with Min-SE;
// each refresh (re-INVITE or UPDATE) restarts the interval; when we refresh, we send it at half
// the interval; when the peer refreshes and does not, the session ends before it expires (§10).

import type { SipRequest } from "../message/index.ts";
import { realScheduler, type Scheduler, type TimerHandle } from "../transaction/timers.ts";

/** RFC 4028 §4: the smallest Min-SE anyone may use, and ours. */
export const MIN_SE = 90;

export type Refresher = "uac" | "uas";

export interface SessionExpires {
  delta: number;
  refresher?: Refresher;
}

/** `Session-Expires: 1800;refresher=uac` (or its compact form `x:`), or undefined. */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const [first, ...params] = value.split(";");
  const delta = Number(first?.trim());
  if (!/^\d{1,10}$/.test(first?.trim() ?? "") || !Number.isSafeInteger(delta)) return undefined;
  const out: SessionExpires = { delta };
  for (const p of params) {
    const [k, v] = p.split("=").map((x) => x.trim().toLowerCase());
    if (k === "refresher" && (v === "uac" || v === "uas")) out.refresher = v;
  }
  return out;
}

function hasOption(req: SipRequest, header: string, option: string): boolean {
  return req.headers
    .getAll(header)
    .some((v) => v.split(",").some((x) => x.trim().toLowerCase() === option));
}

/** What to do with a request that may ask for a session timer. */
export type SessionTimerOffer =
  | { kind: "none" }
  | { kind: "too-small"; minSe: number }
  | { kind: "run"; interval: number; refresher: Refresher; uacSupports: boolean };

/** RFC 4028 §9: the UAS's reading of an INVITE (or a refresh) with its Session-Expires. */
export function negotiateSessionTimer(req: SipRequest, minSe = MIN_SE): SessionTimerOffer {
  const se = parseSessionExpires(req.headers.get("session-expires"));
  if (!se) return { kind: "none" };
  const uacSupports = hasOption(req, "supported", "timer") || hasOption(req, "require", "timer");
  // The request's own Min-SE (a proxy's floor) binds us too.
  const theirMin = Number(req.headers.get("min-se")?.split(";")[0]?.trim());
  const floor = Math.max(minSe, Number.isSafeInteger(theirMin) ? theirMin : 0);
  if (se.delta < floor) {
    // A UAC that cannot read 422 gets the floor instead, refreshed by us.
    if (uacSupports) return { kind: "too-small", minSe: floor };
    return { kind: "run", interval: floor, refresher: "uas", uacSupports };
  }
  // §9: without a refresher parameter the UAS picks; the UAC refreshes when it can.
  const refresher: Refresher = uacSupports ? (se.refresher ?? "uac") : "uas";
  return { kind: "run", interval: se.delta, refresher, uacSupports };
}

export interface SessionTimerHooks {
  /** We are the refresher and half the interval has passed: send the refresh. */
  refresh(): Promise<void>;
  /** No refresh came (or ours failed): end the session with a BYE. */
  expire(): void;
  scheduler?: Scheduler;
}

/** One dialog's session timer: the headers its responses carry and the running interval. */
export class SessionTimer {
  #interval = 0;
  #refresher: Refresher = "uac";
  #uacSupports = false;
  #handle: TimerHandle | undefined;
  readonly #scheduler: Scheduler;

  constructor(private readonly hooks: SessionTimerHooks) {
    this.#scheduler = hooks.scheduler ?? realScheduler;
  }

  get active(): boolean {
    return this.#interval > 0;
  }

  get interval(): number {
    return this.#interval;
  }

  get refresher(): Refresher {
    return this.#refresher;
  }

  /** Takes the negotiated offer (of the INVITE or a refresh); `none` turns the timer off. */
  apply(offer: SessionTimerOffer): void {
    if (offer.kind !== "run") {
      this.stop();
      this.#interval = 0;
      return;
    }
    this.#interval = offer.interval;
    this.#refresher = offer.refresher;
    this.#uacSupports = offer.uacSupports;
  }

  /** Session-Expires, Require and Supported for our 2xx (§9), none when no timer runs. */
  responseHeaders(): Array<[string, string]> {
    if (!this.active) return [];
    const headers: Array<[string, string]> = [
      ["Session-Expires", `${this.#interval};refresher=${this.#refresher}`],
      ["Supported", "timer"],
    ];
    if (this.#uacSupports) headers.push(["Require", "timer"]);
    return headers;
  }

  /** Headers of a refresh we send as the UAS refresher (§7.4): we stay the refresher. */
  refreshHeaders(): Array<[string, string]> {
    return [
      ["Session-Expires", `${this.#interval};refresher=uas`],
      ["Supported", "timer"],
    ];
  }

  /** The 2xx went out (or a refresh succeeded): the interval starts again from now. */
  restart(): void {
    this.stop();
    if (!this.active) return;
    const ms = this.#interval * 1000;
    if (this.#refresher === "uas") {
      this.#handle = this.#scheduler.set(() => {
        this.#handle = undefined;
        this.hooks.refresh().then(
          () => this.restart(),
          () => this.hooks.expire(),
        );
      }, ms / 2);
    } else {
      // §10: the BYE goes out a little before the expiry: min(32 s, interval / 3) earlier.
      const early = Math.min(32_000, ms / 3);
      this.#handle = this.#scheduler.set(() => {
        this.#handle = undefined;
        this.hooks.expire();
      }, ms - early);
    }
  }

  stop(): void {
    if (this.#handle) this.#scheduler.clear(this.#handle);
    this.#handle = undefined;
  }
}
