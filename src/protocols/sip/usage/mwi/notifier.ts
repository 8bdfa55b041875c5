// The message-summary notifier (RFC 6665 §4.2, RFC 3842 §4–5): phones SUBSCRIBE to their own
// mailbox with digest credentials, get 200 and an immediate NOTIFY, one NOTIFY per change after
// that, and a final one when the subscription ends; optionally unsolicited NOTIFYs to phones
// that only register.

import { formatMessageSummary, type MessageSummary } from "../../../mwi/index.ts";
import { Dialog, type DialogState, destinationOf } from "../../dialog/dialog.ts";
import type { DialogRegistry } from "../../dialog/registry.ts";
import {
  type IncomingRequest,
  ModulePriority,
  newTag,
  type RespondOptions,
  type SipEndpoint,
} from "../../endpoint.ts";
import type { Binding, Registrar } from "../../registrar/index.ts";
import { authenticate, type DigestGateOptions } from "../digest-gate.ts";
import { type ExpiryLimits, mailboxUser, readSubscribe } from "./request.ts";
import { MwiSubscription, type SubscriptionContext } from "./subscription.ts";
import { bindingsOfUser, notifyPhones } from "./unsolicited.ts";

/** A subscription as another process can take it over: its dialog, owner and lifetime. */
export interface StoredSubscription {
  userId: string;
  eventId?: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  dialog: DialogState;
}

/** Where subscriptions are kept for others to take over (a cluster's shared store). */
export interface SubscriptionShare {
  /** A subscription was made or refreshed. */
  saved(subscription: StoredSubscription): void;
  ended(callId: string, localTag: string): void;
}

/**
 * How far an adopted dialog's CSeq jumps: past every NOTIFY the node that held it may have sent
 * since it was stored (RFC 3261 §12.2.1.1 wants it only to grow).
 */
const ADOPTED_SEQ_SKIP = 100_000;

/** `userOf` maps the digest username to the user id `aorOwner` returns. */
export interface MwiNotifierOptions extends DigestGateOptions {
  /** The user owning the mailbox named by a SUBSCRIBE's user part; undefined: none (404). */
  aorOwner: (aorUser: string) => string | undefined;
  summaryFor: (userId: string) => Promise<MessageSummary>;
  /**
   * Our Contact URI in subscription dialogs and unsolicited NOTIFYs; default the endpoint's for
   * the transport each one uses (SipEndpoint.contactFor).
   */
  localContact?: string;
  /** Default 60 s; shorter requests get 423. */
  minExpires?: number;
  /** Default 3600 s; longer requests are shortened. */
  maxExpires?: number;
  /** When a SUBSCRIBE has no Expires; default 3600 s. */
  defaultExpires?: number;
  /** notifyChanged calls for one user within this window become one NOTIFY; default 50 ms. */
  coalesceMs?: number;
  /** Live subscriptions one user may hold; default 16. */
  maxPerUser?: number;
  /** Keeps every subscription where another node can take it over (cluster mode). */
  share?: SubscriptionShare;
  /** Out-of-dialog NOTIFYs to the user's registered contacts that hold no subscription. */
  unsolicited?: {
    registrar: Registrar;
    /** Also notify a phone as soon as it registers anew; default true. */
    onRegister?: boolean;
  };
}

export interface MwiSubscriptionInfo {
  userId: string;
  callId: string;
  remoteUri: string;
  expiresAt: number;
}

export interface MwiNotifier {
  /** NOTIFYs every subscription (and, if enabled, registered phone) of the user with fresh counts. */
  notifyChanged(userId: string): Promise<void>;
  subscriptions(userId?: string): MwiSubscriptionInfo[];
  /**
   * Takes over a subscription another node held (it died): the dialog goes on from here, with
   * our Contact in its NOTIFYs so the phone's refreshes come here (RFC 6665 §4.4.1: NOTIFY is a
   * target refresh request), and the phone is told the current state at once.
   */
  adopt(subscription: StoredSubscription): void;
  /** Stops taking SUBSCRIBEs and ends every subscription (terminated;reason=deactivated). */
  stop(): void;
}

export function mwiNotifier(
  endpoint: SipEndpoint,
  dialogs: DialogRegistry,
  options: MwiNotifierOptions,
): MwiNotifier {
  return new MessageSummaryNotifier(endpoint, dialogs, options);
}

interface Pending {
  promise: Promise<void>;
  timer: NodeJS.Timeout;
  resolve: () => void;
}

class MessageSummaryNotifier implements MwiNotifier {
  readonly #byUser = new Map<string, Set<MwiSubscription>>();
  readonly #unroute = new Map<MwiSubscription, () => void>();
  readonly #pending = new Map<string, Pending>();
  readonly #limits: ExpiryLimits;
  readonly #ctx: SubscriptionContext;
  readonly #off: Array<() => void> = [];

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly dialogs: DialogRegistry,
    private readonly o: MwiNotifierOptions,
  ) {
    const maxExpires = o.maxExpires ?? 3600;
    this.#limits = {
      minExpires: o.minExpires ?? 60,
      maxExpires,
      defaultExpires: Math.min(o.defaultExpires ?? 3600, maxExpires),
    };
    this.#ctx = {
      endpoint,
      onEnded: (sub) => this.#forget(sub),
      ...(o.logger ? { logger: o.logger } : {}),
    };
    this.#off.push(
      endpoint.addModule({
        name: "mwi-notifier",
        priority: ModulePriority.Usage,
        methods: ["SUBSCRIBE"],
        onRequest: (req) => {
          this.#guard(req, this.#subscribe(req));
          return true;
        },
      }),
    );
    const un = o.unsolicited;
    if (un && un.onRegister !== false) {
      this.#off.push(
        un.registrar.onChange((e) => {
          if (e.type !== "added") return;
          // After the 200 to the REGISTER, and after a phone that subscribes has done so.
          const t = setTimeout(() => void this.#toPhones(e.binding.userId, [e.binding]), 1000);
          t.unref();
        }),
      );
    }
  }

  notifyChanged(userId: string): Promise<void> {
    const waiting = this.#pending.get(userId);
    if (waiting) return waiting.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const timer = setTimeout(() => {
      this.#pending.delete(userId);
      void this.#push(userId).finally(resolve);
    }, this.o.coalesceMs ?? 50);
    timer.unref();
    this.#pending.set(userId, { promise, timer, resolve });
    return promise;
  }

  subscriptions(userId?: string): MwiSubscriptionInfo[] {
    const sets = userId === undefined ? [...this.#byUser.values()] : [this.#byUser.get(userId)];
    return sets.flatMap((set) =>
      [...(set ?? [])].map((s) => ({
        userId: s.userId,
        callId: s.dialog.state.callId,
        remoteUri: s.dialog.state.remoteUri,
        expiresAt: s.expiresAt,
      })),
    );
  }

  adopt(s: StoredSubscription): void {
    const left = Math.ceil((s.expiresAt - Date.now()) / 1000);
    if (left <= 0) return;
    const { routeSet, remoteTarget } = s.dialog;
    let destination = s.dialog.destination;
    // A TCP/TLS flow died with the node that held it: the phone's Contact is the way now.
    if (routeSet.length === 0 && destination.transport !== "udp") {
      try {
        destination = destinationOf(remoteTarget);
      } catch {
        this.o.logger?.info({ userId: s.userId }, "mwi subscription not taken over: no route");
        return;
      }
    }
    const localContact = this.o.localContact ?? this.endpoint.contactFor(destination.transport);
    const dialog = Dialog.restore({ ...s.dialog, destination, localContact }, ADOPTED_SEQ_SKIP);
    const sub = new MwiSubscription(dialog, s.userId, s.eventId, this.#ctx);
    sub.extend(left);
    this.#remember(sub);
    this.#saved(sub);
    void this.#body(s.userId).then((body) => (body ? sub.notify(body) : undefined));
  }

  stop(): void {
    for (const off of this.#off.splice(0)) off();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.resolve();
    }
    this.#pending.clear();
    for (const set of [...this.#byUser.values()])
      for (const sub of [...set]) void sub.terminate("deactivated");
  }

  #guard(req: IncomingRequest, work: Promise<void>): void {
    work.catch((err: unknown) => {
      this.o.logger?.error({ err: String(err) }, "mwi subscribe handling failed");
      req.transaction.respond(500, "Server Internal Error");
    });
  }

  async #subscribe(req: IncomingRequest): Promise<void> {
    const read = readSubscribe(req.message, this.#limits);
    if (!read.ok) return req.transaction.refuse(read);
    let dialog: Dialog;
    try {
      const contact = this.o.localContact ?? this.endpoint.contactForRequest(req);
      dialog = Dialog.asServer(req, newTag(), contact);
    } catch {
      return req.transaction.refuse({ status: 400, reason: "Missing Contact, From Tag or CSeq" });
    }
    const user = await authenticate(req, this.o);
    if (user === undefined) return;
    const box = mailboxUser(req.message);
    const owner = box === undefined ? undefined : this.o.aorOwner(box);
    if (owner === undefined) return req.transaction.refuse({ status: 404, reason: "Not Found" });
    // RFC 3842 §6: a mailbox's state is private to its owner.
    if (owner !== user) return req.transaction.refuse({ status: 403, reason: "Forbidden" });
    if (read.expires > 0 && (this.#byUser.get(owner)?.size ?? 0) >= (this.o.maxPerUser ?? 16))
      return req.transaction.refuse({ status: 403, reason: "Too Many Subscriptions" });
    const body = await this.#body(owner);
    if (body === undefined)
      return req.transaction.refuse({
        status: 500,
        reason: "Server Internal Error",
        headers: [["Retry-After", "5"]],
      });

    const sub = new MwiSubscription(dialog, owner, read.eventId, this.#ctx);
    // The 2xx creates the dialog: the proxies that record-routed must stay on its path.
    const ok = { ...this.#okOptions(dialog, read.expires), recordRoute: true };
    if (read.expires === 0) {
      // §4.4.3: a fetch — the state once, in a NOTIFY that also ends it.
      req.transaction.respond(200, "OK", ok);
      await sub.terminate("timeout", body);
      return;
    }
    sub.extend(read.expires);
    this.#remember(sub);
    this.#saved(sub);
    req.transaction.respond(200, "OK", ok);
    await sub.notify(body);
  }

  async #refresh(sub: MwiSubscription, req: IncomingRequest): Promise<void> {
    const m = req.message;
    if (m.method !== "SUBSCRIBE")
      return req.transaction.refuse({
        status: 405,
        reason: "Method Not Allowed",
        headers: [["Allow", "SUBSCRIBE"]],
      });
    if (!sub.dialog.acceptRemote(m))
      return req.transaction.refuse({
        status: 500,
        reason: "CSeq Out of Order",
        headers: [["Retry-After", "1"]],
      });
    const read = readSubscribe(m, this.#limits);
    if (!read.ok) return req.transaction.refuse(read);
    const user = await authenticate(req, this.o);
    if (user === undefined) return;
    if (user !== sub.userId) return req.transaction.refuse({ status: 403, reason: "Forbidden" });
    // Another id in the same dialog would be a second subscription, which we do not share.
    if (sub.ended || read.eventId !== sub.eventId)
      return req.transaction.refuse({ status: 481, reason: "Subscription Does Not Exist" });
    const ok = this.#okOptions(sub.dialog, read.expires);
    if (read.expires === 0) {
      req.transaction.respond(200, "OK", ok);
      await sub.terminate("timeout");
      return;
    }
    sub.extend(read.expires);
    this.#saved(sub);
    req.transaction.respond(200, "OK", ok);
    // §4.2.1.2: every accepted refresh is followed by a NOTIFY with the current state.
    const body = (await this.#body(sub.userId)) ?? sub.lastBody;
    if (body !== undefined) await sub.notify(body);
  }

  #okOptions(dialog: Dialog, expires: number): RespondOptions {
    return {
      toTag: dialog.state.localTag,
      headers: [
        ["Expires", String(expires)],
        ["Contact", `<${dialog.state.localContact}>`],
      ],
    };
  }

  #remember(sub: MwiSubscription): void {
    const set = this.#byUser.get(sub.userId) ?? new Set();
    this.#byUser.set(sub.userId, set);
    set.add(sub);
    const unroute = this.dialogs.add(sub.dialog.key, {
      onRequest: (req) => this.#guard(req, this.#refresh(sub, req)),
    });
    this.#unroute.set(sub, unroute);
  }

  #saved(sub: MwiSubscription): void {
    this.o.share?.saved({
      userId: sub.userId,
      ...(sub.eventId !== undefined ? { eventId: sub.eventId } : {}),
      expiresAt: sub.expiresAt,
      dialog: sub.dialog.state,
    });
  }

  #forget(sub: MwiSubscription): void {
    this.o.share?.ended(sub.dialog.state.callId, sub.dialog.state.localTag);
    const set = this.#byUser.get(sub.userId);
    set?.delete(sub);
    if (set?.size === 0) this.#byUser.delete(sub.userId);
    this.#unroute.get(sub)?.();
    this.#unroute.delete(sub);
  }

  /** The user's summary as a NOTIFY body; undefined (logged) when the store or the data failed. */
  async #body(userId: string): Promise<Buffer | undefined> {
    try {
      return Buffer.from(formatMessageSummary(await this.o.summaryFor(userId)), "utf8");
    } catch (err) {
      this.o.logger?.error({ err: String(err), userId }, "mwi summary unavailable");
      return undefined;
    }
  }

  async #push(userId: string): Promise<void> {
    const subs = [...(this.#byUser.get(userId) ?? [])];
    const un = this.o.unsolicited;
    if (subs.length === 0 && !un) return;
    const body = await this.#body(userId);
    if (body === undefined) return;
    const sends = subs.map((s) => s.notify(body));
    if (un) sends.push(this.#toPhones(userId, bindingsOfUser(un.registrar, userId), body));
    await Promise.all(sends);
  }

  /** Unsolicited NOTIFYs to the bindings whose phone holds no subscription of this user. */
  async #toPhones(userId: string, bindings: Binding[], known?: Buffer): Promise<void> {
    const un = this.o.unsolicited;
    if (!un) return;
    const subs = [...(this.#byUser.get(userId) ?? [])];
    await notifyPhones(
      {
        endpoint: this.endpoint,
        localContact: (transport) => this.o.localContact ?? this.endpoint.contactFor(transport),
        ...(this.o.logger ? { logger: this.o.logger } : {}),
      },
      bindings,
      subs.map((s) => ({
        destination: s.dialog.state.destination,
        remoteTarget: s.dialog.state.remoteTarget,
      })),
      async () => known ?? (await this.#body(userId)),
    );
  }
}
