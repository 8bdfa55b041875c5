// One message-summary subscription, subscriber side (RFC 6665 §4.1, RFC 3842 §4): SUBSCRIBE with
// digest when challenged, refresh before expiry, a new subscription with exponential backoff
// after a failure or a terminated NOTIFY, and unsubscribe (Expires: 0) when stopped.

import type { Logger } from "pino";
import { backoffDelay } from "../../../../core/backoff.ts";
import type { MessageSummary } from "../../../mwi/index.ts";
import type { ClientCredentials } from "../../auth/index.ts";
import { Dialog, destinationOf } from "../../dialog/dialog.ts";
import type { Destination, IncomingRequest, SipEndpoint } from "../../endpoint.ts";
import { createRequest, newCallId, newTag } from "../../endpoint-request.ts";
import type { SipRefusal } from "../../errors.ts";
import { parseCSeq, parseNameAddr, type SipRequest } from "../../message/index.ts";
import type { MessageSource } from "../../transport/types.ts";
import { readNotify, type SubscriptionState } from "./notify-read.ts";
import { EVENT_PACKAGE, SUMMARY_TYPE } from "./request.ts";
import { grantedSeconds, retryAfterMs, SubscribeSender } from "./subscribe-sender.ts";
import type { NotifyRoutes } from "./subscriber-hub.ts";

const NO_SUBSCRIPTION: SipRefusal = { status: 481, reason: "Subscription Does Not Exist" };
const CSEQ_OUT_OF_ORDER: SipRefusal = { status: 500, reason: "CSeq Out of Order" };

export type SubscriberStatus = "subscribing" | "active" | "retrying" | "stopped";

export interface SummaryEvent {
  summary: MessageSummary;
  warnings: string[];
  receivedAt: Date;
  source: MessageSource;
}

export interface MwiSubscribeOptions {
  /** The mailbox: Request-URI and To of the SUBSCRIBE. */
  uri: string;
  /** Our From URI; default the mailbox's, as a phone subscribing to its own box would. */
  from?: string;
  /** Where the SUBSCRIBE goes; default the URI's host, port and transport. */
  dest?: Destination;
  credentials?: ClientCredentials;
  /** Seconds asked for (default 3600); the notifier may grant less. */
  expires?: number;
  /** Backoff between failed attempts (core/backoff.ts): from minMs (default 1 s) up to maxMs (5 min). */
  retry?: { minMs?: number; maxMs?: number };
  onSummary(event: SummaryEvent): void;
  /** A NOTIFY that was refused (bad body, wrong type or event); state is left as it was. */
  onBadNotify?(error: string, source: MessageSource): void;
  onStatus?(status: SubscriberStatus, detail?: string): void;
  /** How long the dialog of an unsubscribe still answers its final NOTIFY (default 32 s). */
  lingerMs?: number;
}

export class MwiClientSubscription {
  /** Resolves once stop() has unsubscribed. */
  readonly stopped: Promise<void>;
  #resolveStopped!: () => void;
  #status: SubscriberStatus = "subscribing";
  #gen = 0;
  #callId = "";
  #tag = "";
  #cseq = 0;
  #dialog: Dialog | undefined;
  #early: { remoteTag: string; remoteSeq: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the refresh timer fires, so a NOTIFY's shorter expires can bring it forward. */
  #due: number | undefined;
  #failures = 0;
  #expires: number;
  #halted = false;
  readonly #tasks = new Set<Promise<void>>();
  readonly #sender: SubscribeSender;
  readonly #dest: Destination;

  constructor(
    endpoint: SipEndpoint,
    private readonly routes: NotifyRoutes,
    private readonly o: MwiSubscribeOptions,
    private readonly logger?: Logger,
  ) {
    this.#dest = o.dest ?? destinationOf(o.uri);
    this.#expires = o.expires ?? 3600;
    this.#sender = new SubscribeSender(endpoint, o.credentials);
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  get status(): SubscriberStatus {
    return this.#status;
  }

  start(): void {
    this.#run(() => this.#begin());
  }

  /** Unsubscribes (Expires: 0 in the dialog) once anything under way has finished. */
  async stop(): Promise<void> {
    if (this.#halted) return this.stopped;
    this.#halted = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#tasks]);
    const dialog = this.#dialog;
    if (dialog) {
      const out = await this.#sender.send(
        dialog.state.remoteTarget,
        dialog.state.destination,
        (h) => dialog.request("SUBSCRIBE", { headers: [...this.#headers(0), ...h] }),
      );
      const result = "error" in out ? out.error : `${out.res.status} ${out.res.reason}`;
      this.logger?.debug({ uri: this.o.uri, result }, "mwi unsubscribed");
      // The notifier's final NOTIFY (terminated) should still find its dialog and get a 200.
      const [callId, tag] = [this.#callId, this.#tag];
      setTimeout(() => this.routes.unroute(callId, tag, this), this.o.lingerMs ?? 32_000).unref();
    } else {
      this.#drop();
    }
    this.#setStatus("stopped");
    this.#resolveStopped();
  }

  /** A NOTIFY for this subscription's Call-ID and tag (routed here by the hub). */
  onNotify(req: IncomingRequest): void {
    const m = req.message;
    const refused = this.#matchDialog(m);
    if (refused) {
      req.transaction.refuse(refused);
      return;
    }
    const read = readNotify(m);
    if (!read.ok) {
      req.transaction.refuse(read);
      this.o.onBadNotify?.(read.error, req.source);
      return;
    }
    req.transaction.respond(200, "OK");
    if (this.#halted) return; // the final NOTIFY of our own unsubscribe: nobody wants it now
    if (read.summary) {
      const event = { summary: read.summary, warnings: read.warnings, receivedAt: new Date() };
      this.o.onSummary({ ...event, source: req.source });
    }
    if (read.state?.value === "terminated") this.#onTerminated(read.state);
    else if (read.state?.expires !== undefined && this.#status === "active")
      this.#schedule(read.state.expires, true);
  }

  /** Checks the NOTIFY against the dialog (or starts it); returns the refusal when it fails. */
  #matchDialog(m: SipRequest): SipRefusal | undefined {
    const fromTag = parseNameAddr(m.headers.get("from") ?? "")?.tag;
    const cseq = parseCSeq(m.headers.get("cseq") ?? "");
    if (!fromTag || !cseq) return { status: 400, reason: "Bad From or CSeq" };
    const dialog = this.#dialog;
    if (dialog) {
      // A second dialog from a forked SUBSCRIBE: one subscription per mailbox is enough.
      if (fromTag !== dialog.state.remoteTag) return NO_SUBSCRIPTION;
      if (!dialog.acceptRemote(m)) return CSEQ_OUT_OF_ORDER;
      return undefined;
    }
    // §4.1.2.4: the NOTIFY may overtake the SUBSCRIBE's 2xx; it already names the dialog.
    const e = this.#early;
    if (e && fromTag !== e.remoteTag) return NO_SUBSCRIPTION;
    if (e && cseq.seq <= e.remoteSeq) return CSEQ_OUT_OF_ORDER;
    this.#early = { remoteTag: fromTag, remoteSeq: cseq.seq };
    return undefined;
  }

  #run(task: () => Promise<void>): void {
    const p: Promise<void> = task()
      .catch((err: unknown) => {
        this.logger?.error({ uri: this.o.uri, err: String(err) }, "mwi subscription step failed");
        this.#retry("internal error");
      })
      .finally(() => this.#tasks.delete(p));
    this.#tasks.add(p);
  }

  async #begin(): Promise<void> {
    if (this.#halted) return;
    this.#drop();
    const gen = ++this.#gen;
    this.#callId = newCallId(this.#dest.host);
    this.#tag = newTag();
    this.#cseq = 0;
    this.routes.route(this.#callId, this.#tag, this);
    this.#setStatus("subscribing");
    const contact = this.routes.contact(this.#dest.transport);
    const out = await this.#sender.send(
      this.o.uri,
      this.#dest,
      (h) =>
        createRequest({
          method: "SUBSCRIBE",
          uri: this.o.uri,
          from: { uri: this.o.from ?? this.o.uri, tag: this.#tag },
          to: { uri: this.o.uri },
          callId: this.#callId,
          cseq: ++this.#cseq,
          contact,
          headers: [...this.#headers(this.#expires), ...h],
        }),
      this.#tooBrief,
    );
    if (gen !== this.#gen) return;
    if ("error" in out) return this.#retry(`no answer: ${out.error}`);
    if (out.res.status >= 300) {
      return this.#retry(`${out.res.status} ${out.res.reason}`, retryAfterMs(out.res));
    }
    let dialog: Dialog;
    try {
      dialog = Dialog.asClient(out.req, out.res, contact, this.#dest);
    } catch {
      return this.#retry("2xx without a To tag");
    }
    if (this.#early?.remoteTag === dialog.state.remoteTag)
      dialog.state.remoteSeq = this.#early.remoteSeq;
    this.#early = undefined;
    this.#dialog = dialog;
    if (this.#halted) return; // stop() unsubscribes this dialog
    const granted = grantedSeconds(out.res, this.#expires);
    if (granted === 0) return this.#retry("granted Expires: 0");
    this.logger?.info({ uri: this.o.uri, expires: granted }, "mwi subscribed");
    this.#setStatus("active");
    this.#schedule(granted);
  }

  async #refresh(): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog || this.#halted) return;
    const gen = this.#gen;
    const out = await this.#sender.send(
      dialog.state.remoteTarget,
      dialog.state.destination,
      (h) => dialog.request("SUBSCRIBE", { headers: [...this.#headers(this.#expires), ...h] }),
      this.#tooBrief,
    );
    if (gen !== this.#gen || this.#halted) return;
    // §4.1.2.2: a failed refresh leaves us unsure the subscription lives; start a new one.
    if ("error" in out) return this.#retry(`refresh unanswered: ${out.error}`, undefined, true);
    if (out.res.status >= 300) {
      const why = `refresh refused: ${out.res.status} ${out.res.reason}`;
      return this.#retry(why, retryAfterMs(out.res), true);
    }
    this.#failures = 0;
    const granted = grantedSeconds(out.res, this.#expires);
    if (granted === 0) return this.#retry("refresh granted Expires: 0", undefined, true);
    this.#schedule(granted);
  }

  /** A 423 names the shortest duration the notifier grants: ask for that from now on. */
  readonly #tooBrief = (min: number): boolean => {
    if (min <= this.#expires) return false;
    this.#expires = min;
    return true;
  };

  #headers(expires: number): Array<[string, string]> {
    return [
      ["Event", EVENT_PACKAGE],
      ["Accept", SUMMARY_TYPE],
      ["Expires", String(expires)],
    ];
  }

  /** Refreshes ahead of expiry: 32 s before it, or halfway through a short subscription. */
  #schedule(seconds: number, onlySooner = false): void {
    const ms = (seconds > 64 ? seconds - 32 : seconds / 2) * 1000;
    const due = Date.now() + ms;
    if (onlySooner && this.#due !== undefined && this.#due <= due) return;
    clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = setTimeout(() => this.#run(() => this.#refresh()), ms);
    this.#timer.unref();
  }

  #onTerminated(state: SubscriptionState): void {
    const reason = state.reason;
    // §4.1.3: after deactivated or timeout a new subscription may be tried at once.
    const atOnce = reason === undefined || reason === "deactivated" || reason === "timeout";
    const hint = state.retryAfter === undefined ? undefined : state.retryAfter * 1000;
    this.#retry(`terminated${reason ? `;reason=${reason}` : ""}`, hint, atOnce);
  }

  /** Forgets the dialog and tries a new subscription after the backoff (or at once, once). */
  #retry(why: string, hintMs?: number, atOnce = false): void {
    this.#gen++;
    this.#drop();
    if (this.#halted) return;
    const backoff = backoffDelay(this.#failures + 1, {
      initialDelayMs: this.o.retry?.minMs ?? 1000,
      maxDelayMs: this.o.retry?.maxMs ?? 300_000,
    });
    const delay = atOnce && this.#failures === 0 ? 0 : Math.max(hintMs ?? 0, backoff);
    this.#failures++;
    this.logger?.info({ uri: this.o.uri, why, delayMs: delay }, "mwi subscription will retry");
    this.#setStatus("retrying", why);
    clearTimeout(this.#timer);
    this.#due = undefined;
    this.#timer = setTimeout(() => this.#run(() => this.#begin()), delay);
    this.#timer.unref();
  }

  #drop(): void {
    if (this.#callId) this.routes.unroute(this.#callId, this.#tag, this);
    this.#dialog = undefined;
    this.#early = undefined;
  }

  #setStatus(status: SubscriberStatus, detail?: string): void {
    this.#status = status;
    this.o.onStatus?.(status, detail);
  }
}
