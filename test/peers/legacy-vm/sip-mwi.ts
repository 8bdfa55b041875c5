// The simulator's message-summary notifier (RFC 6665 §4.2, RFC 3842 §4–5): SUBSCRIBE to a mailbox
// (digest when configured), 200 with the granted Expires and an immediate NOTIFY, a NOTIFY per
// change, refresh, unsubscribe (Expires: 0), expiry, and injected faults for tests.

import {
  DigestChallenger,
  DigestVerifier,
  NonceService,
} from "../../../src/protocols/sip/auth/index.ts";
import { Dialog } from "../../../src/protocols/sip/dialog/dialog.ts";
import type { DialogRegistry } from "../../../src/protocols/sip/dialog/registry.ts";
import {
  type IncomingRequest,
  newTag,
  type SipEndpoint,
} from "../../../src/protocols/sip/endpoint.ts";
import { parseUri } from "../../../src/protocols/sip/message/index.ts";
import {
  authenticate,
  type DigestGateOptions,
} from "../../../src/protocols/sip/usage/digest-gate.ts";

export interface MailboxState {
  new: number;
  old: number;
  urgentNew?: number;
  urgentOld?: number;
  /** Message-context headers (RFC 3842 §5.2) after the counts, e.g. From, To, Date. */
  context?: Array<[string, string]>;
}

/** One SUBSCRIBE the simulator answered, as it saw it. */
export interface SubscribeSeen {
  mailbox: string;
  /** The Expires header's value as sent, or undefined when there was none. */
  expires: string | undefined;
  inDialog: boolean;
  status: number;
}

export interface SimMwiOptions {
  /** Require digest credentials (RFC 3261 §22) for every SUBSCRIBE. */
  auth?: { username: string; password: string; realm?: string };
  minExpires?: number;
  maxExpires?: number;
  /** Send the first NOTIFY (and wait for its answer) before the SUBSCRIBE's 200. */
  notifyBeforeOk?: boolean;
  /** Our Contact URI, read when a subscription is made. */
  contact: () => string;
}

interface Sub {
  mailbox: string;
  dialog: Dialog;
  expiresAt: number;
  timer: NodeJS.Timeout;
  chain: Promise<void>;
  off: () => void;
}

/** The body the simulator sends for a mailbox state, written by hand from RFC 3842 §5.2. */
export function summaryBody(state: MailboxState): string {
  const urgent =
    state.urgentNew !== undefined || state.urgentOld !== undefined
      ? ` (${state.urgentNew ?? 0}/${state.urgentOld ?? 0})`
      : "";
  let body = `Messages-Waiting: ${state.new > 0 ? "yes" : "no"}\r\n`;
  body += `Voice-Message: ${state.new}/${state.old}${urgent}\r\n`;
  if (state.context?.length) {
    body += `\r\n${state.context.map(([n, v]) => `${n}: ${v}\r\n`).join("")}`;
  }
  return body;
}

export class SimMwi {
  readonly seen: SubscribeSeen[] = [];
  /** Every NOTIFY sent: mailbox, Subscription-State and body, with the answer's status. */
  readonly notifies: Array<{ mailbox: string; state: string; body: string; status?: number }> = [];
  readonly #mailboxes = new Map<string, MailboxState>();
  readonly #subs = new Set<Sub>();
  readonly #gate: DigestGateOptions | undefined;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly dialogs: DialogRegistry,
    private readonly o: SimMwiOptions,
  ) {
    if (o.auth) {
      const nonces = new NonceService({ secret: "legacy voicemail simulator secret" });
      const { username, password } = o.auth;
      this.#gate = {
        realm: o.auth.realm ?? "legacy-vm",
        verifier: new DigestVerifier(nonces),
        challenger: new DigestChallenger(nonces),
        algorithms: ["MD5"],
        lookup: async (u) => (u === username ? { password } : undefined),
      };
    }
    endpoint.onRequest((req) => void this.#initial(req), { methods: ["SUBSCRIBE"] });
  }

  mailbox(name: string): MailboxState {
    return this.#mailboxes.get(name) ?? { new: 0, old: 0 };
  }

  /** Changes a mailbox and NOTIFYs every subscription to it. */
  async set(name: string, state: MailboxState): Promise<void> {
    this.#mailboxes.set(name, state);
    await this.notifyRaw(name, summaryBody(state));
  }

  /** Sends this body as it is (for bad-input tests) to every subscription of the mailbox. */
  async notifyRaw(name: string, body: string | Buffer, contentType = SUMMARY): Promise<void> {
    const subs = [...this.#subs].filter((s) => s.mailbox === name);
    await Promise.all(subs.map((s) => this.#notify(s, this.#active(s), body, contentType)));
  }

  /** Ends every subscription of the mailbox with `terminated;reason=…`. */
  async terminate(name: string, reason = "deactivated"): Promise<void> {
    const subs = [...this.#subs].filter((s) => s.mailbox === name);
    await Promise.all(subs.map((s) => this.#end(s, `terminated;reason=${reason}`)));
  }

  active(name?: string): number {
    return [...this.#subs].filter((s) => name === undefined || s.mailbox === name).length;
  }

  close(): void {
    for (const s of this.#subs) this.#forget(s);
  }

  async #initial(req: IncomingRequest): Promise<void> {
    const m = req.message;
    const mailbox = parseUri(m.uri)?.user ?? "";
    const expires = this.#expiresOf(req);
    if (expires === undefined) return this.#log(mailbox, req, false);
    if (this.#gate && (await authenticate(req, this.#gate)) === undefined)
      return this.#log(mailbox, req, false);
    const dialog = Dialog.asServer(req, newTag(), this.o.contact());
    const ok = () => {
      req.transaction.respond(200, "OK", okOptions(dialog, expires));
      this.#log(mailbox, req, false, 200);
    };
    const sub: Sub = {
      mailbox,
      dialog,
      expiresAt: 0,
      timer: setTimeout(() => undefined, 0),
      chain: Promise.resolve(),
      off: () => undefined,
    };
    if (expires === 0) {
      // §4.2.1: a fetch — one NOTIFY with the state, the subscription over at once.
      ok();
      await this.#notify(sub, "terminated;reason=timeout", summaryBody(this.mailbox(mailbox)));
      return;
    }
    sub.off = this.dialogs.add(dialog.key, { onRequest: (r) => void this.#inDialog(sub, r) });
    this.#subs.add(sub);
    this.#extend(sub, expires);
    // §4.1.2.4: the first NOTIFY may overtake the 2xx; `notifyBeforeOk` makes it do so.
    if (!this.o.notifyBeforeOk) ok();
    await this.#notify(sub, this.#active(sub), summaryBody(this.mailbox(mailbox)));
    if (this.o.notifyBeforeOk) ok();
  }

  async #inDialog(sub: Sub, req: IncomingRequest): Promise<void> {
    if (req.message.method !== "SUBSCRIBE") {
      req.transaction.respond(405, "Method Not Allowed", { headers: [["Allow", "SUBSCRIBE"]] });
      return;
    }
    if (!sub.dialog.acceptRemote(req.message)) {
      req.transaction.respond(500, "CSeq Out of Order");
      return;
    }
    const expires = this.#expiresOf(req);
    if (expires === undefined) return this.#log(sub.mailbox, req, true);
    if (this.#gate && (await authenticate(req, this.#gate)) === undefined)
      return this.#log(sub.mailbox, req, true);
    req.transaction.respond(200, "OK", okOptions(sub.dialog, expires));
    this.#log(sub.mailbox, req, true, 200);
    if (expires === 0) return this.#end(sub, "terminated;reason=timeout");
    this.#extend(sub, expires);
    // §4.2.1.2: a refresh is followed by a NOTIFY with the current state.
    await this.#notify(sub, this.#active(sub), summaryBody(this.mailbox(sub.mailbox)));
  }

  /** The granted duration, or undefined after answering 489/400/423. */
  #expiresOf(req: IncomingRequest): number | undefined {
    const m = req.message;
    if ((m.headers.get("event") ?? "").split(";")[0]?.trim() !== "message-summary") {
      req.transaction.respond(489, "Bad Event", { headers: [["Allow-Events", "message-summary"]] });
      return undefined;
    }
    const raw = m.headers.get("expires")?.trim();
    if (raw !== undefined && !/^\d{1,10}$/.test(raw)) {
      req.transaction.respond(400, "Bad Expires");
      return undefined;
    }
    const asked = raw === undefined ? 3600 : Number(raw);
    const min = this.o.minExpires ?? 1;
    if (asked > 0 && asked < min) {
      req.transaction.respond(423, "Interval Too Brief", { headers: [["Min-Expires", `${min}`]] });
      return undefined;
    }
    return Math.min(asked, this.o.maxExpires ?? 3600);
  }

  #log(mailbox: string, req: IncomingRequest, inDialog: boolean, status = 0): void {
    const expires = req.message.headers.get("expires")?.trim();
    this.seen.push({ mailbox, expires, inDialog, status });
  }

  #extend(sub: Sub, seconds: number): void {
    clearTimeout(sub.timer);
    sub.expiresAt = Date.now() + seconds * 1000;
    sub.timer = setTimeout(() => void this.#end(sub, "terminated;reason=timeout"), seconds * 1000);
  }

  #active(sub: Sub): string {
    return `active;expires=${Math.max(0, Math.round((sub.expiresAt - Date.now()) / 1000))}`;
  }

  async #end(sub: Sub, state: string): Promise<void> {
    this.#forget(sub);
    await this.#notify(sub, state, summaryBody(this.mailbox(sub.mailbox)));
  }

  #forget(sub: Sub): void {
    clearTimeout(sub.timer);
    sub.off();
    this.#subs.delete(sub);
  }

  /** NOTIFYs go one at a time per subscription (RFC 6665 §4.2.2), in the order asked. */
  #notify(sub: Sub, state: string, body: string | Buffer, type = SUMMARY): Promise<void> {
    const req = sub.dialog.request("NOTIFY", {
      headers: [
        ["Event", "message-summary"],
        ["Subscription-State", state],
      ],
      body: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"),
      contentType: type,
    });
    const entry: (typeof this.notifies)[number] = {
      mailbox: sub.mailbox,
      state,
      body: body.toString(),
    };
    this.notifies.push(entry);
    sub.chain = sub.chain.then(async () => {
      try {
        entry.status = (await this.endpoint.sendRequest(req, sub.dialog.state.destination)).status;
      } catch {
        entry.status = 408;
      }
    });
    return sub.chain;
  }
}

const SUMMARY = "application/simple-message-summary";

function okOptions(dialog: Dialog, expires: number) {
  return {
    toTag: dialog.state.localTag,
    headers: [
      ["Expires", String(expires)],
      ["Contact", `<${dialog.state.localContact}>`],
    ] as Array<[string, string]>,
  };
}
