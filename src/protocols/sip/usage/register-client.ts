// Keeps a registration with a registrar (RFC 3261 §10.2), as a UA does with a SIP trunk: REGISTER
// with digest credentials on 401/407 (§22), refreshed at about two thirds of the granted expiry
// (§10.2.4), asked again with the registrar's Min-Expires after a 423 (§10.2.8), tried again with
// doubling backoff after a failure, removed with Expires: 0 on stop.

import type { Logger } from "pino";
import { backoffDelay } from "../../../core/backoff.ts";
import { DigestClient } from "../auth/client.ts";
import type { Destination, SipEndpoint } from "../endpoint.ts";
import { createRequest, newCallId, newTag } from "../endpoint-request.ts";
import { parseNameAddr, type SipResponse } from "../message/index.ts";

export type RegistrationState = "idle" | "registering" | "registered" | "failed" | "stopped";

export interface RegisterClientOptions {
  endpoint: SipEndpoint;
  /** Where REGISTER goes (the registrar or its outbound proxy). */
  dest: Destination;
  /** Request-URI: `sip:<registrar domain>` (§10.2). */
  registrarUri: string;
  /** The address of record registered (To and From). */
  aor: string;
  /** Our Contact URI: where the registrar sends calls for the AOR. */
  contact: string;
  credentials?: { username: string; password: string };
  /** Seconds asked for; default 600. */
  expires?: number;
  /** Backoff between failed attempts, doubling from retryMinMs to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  logger?: Logger;
  onState?(state: RegistrationState): void;
}

/** Refresh at this share of the granted expiry: before it lapses, with time for a retry. */
const REFRESH_AT = 0.66;

export class RegisterClient {
  readonly #digest = new DigestClient();
  readonly #callId: string;
  readonly #fromTag = newTag();
  #cseq = 0;
  #state: RegistrationState = "idle";
  #timer: NodeJS.Timeout | undefined;
  /** Failed attempts since the last 2xx: the backoff grows with them. */
  #failures = 0;
  #granted = 0;
  #realm: string | undefined;
  #inFlight: Promise<unknown> | undefined;
  /** Raised by a 423's Min-Expires; never lowered again. */
  #expires: number;

  constructor(private readonly opts: RegisterClientOptions) {
    this.#callId = newCallId(opts.dest.host);
    this.#expires = opts.expires ?? 600;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** Seconds the registrar granted in its last 2xx (0 before). */
  get grantedExpires(): number {
    return this.#granted;
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#run();
  }

  /**
   * Stops refreshing and removes the binding (Expires: 0); never rejects. A registrar that does
   * not answer holds shutdown up for `stopWaitMs` at most (default 4 s), not for Timer F.
   */
  async stop(stopWaitMs = 4000): Promise<void> {
    const was = this.#state;
    this.#setState("stopped");
    clearTimeout(this.#timer);
    const end = Date.now() + stopWaitMs;
    const bounded = <T>(p: Promise<T>): Promise<T | "timeout"> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), Math.max(0, end - Date.now()));
      });
      return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
    };
    await bounded(this.#inFlight?.catch(() => undefined) ?? Promise.resolve());
    if (was !== "registered") return;
    try {
      const res = await bounded(this.#exchange(0));
      if (res === "timeout") this.opts.logger?.info("sip trunk unregister got no answer in time");
      else this.opts.logger?.info({ status: res.status }, "sip trunk unregistered");
    } catch (err) {
      this.opts.logger?.info({ err: String(err) }, "sip trunk unregister got no answer");
    }
  }

  #setState(state: RegistrationState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.opts.onState?.(state);
  }

  #run(): void {
    if (this.#state === "stopped") return;
    this.#setState(this.#state === "registered" ? "registered" : "registering");
    const expires = this.#expires;
    const attempt = this.#exchange(expires).then(
      (res) => this.#onAnswer(res, expires),
      (err: unknown) => this.#onFailure(String(err instanceof Error ? err.message : err)),
    );
    this.#inFlight = attempt;
  }

  #onAnswer(res: SipResponse, asked: number): void {
    if (this.#state === "stopped") return;
    if (res.status >= 200 && res.status < 300) {
      this.#granted = grantedExpires(res, this.opts.contact) ?? asked;
      this.#failures = 0;
      const first = this.#state !== "registered";
      this.#setState("registered");
      if (first) this.opts.logger?.info({ expires: this.#granted }, "sip trunk registered");
      else this.opts.logger?.debug({ expires: this.#granted }, "sip trunk registration refreshed");
      this.#schedule(Math.max(1000, this.#granted * 1000 * REFRESH_AT));
      return;
    }
    this.#onFailure(`${res.status} ${res.reason}`);
  }

  #onFailure(why: string): void {
    if (this.#state === "stopped") return;
    this.#setState("failed");
    // The next attempt asks for a fresh challenge rather than trying a refused one again.
    this.#realm = undefined;
    this.#failures++;
    const delay = backoffDelay(this.#failures, {
      initialDelayMs: this.opts.retryMinMs ?? 1000,
      maxDelayMs: this.opts.retryMaxMs ?? 300_000,
      jitter: 0,
    });
    this.opts.logger?.warn({ reason: why, retryInMs: delay }, "sip trunk registration failed");
    this.#schedule(delay);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#run(), ms);
    this.#timer.unref();
  }

  /** One REGISTER, with credentials from the last challenge; a new challenge is answered once. */
  async #exchange(expires: number): Promise<SipResponse> {
    const creds = this.opts.credentials;
    const request = { method: "REGISTER", uri: this.opts.registrarUri };
    const build = (auth?: { header: string; value: string }) => {
      const req = createRequest({
        method: "REGISTER",
        uri: this.opts.registrarUri,
        from: { uri: this.opts.aor, tag: this.#fromTag },
        to: { uri: this.opts.aor },
        callId: this.#callId,
        cseq: ++this.#cseq,
        contact: this.opts.contact,
        headers: [["Expires", String(expires)]],
      });
      if (auth) req.headers.add(auth.header, auth.value);
      return req;
    };
    // A nonce the registrar gave before is used again (nc counts on), saving a round trip.
    const known =
      creds && this.#realm !== undefined
        ? this.#digest.authorize(this.#realm, creds, request)
        : undefined;
    let res = await this.opts.endpoint.sendRequest(
      build(known?.ok ? known : undefined),
      this.opts.dest,
    );
    if ((res.status === 401 || res.status === 407) && creds) {
      const answer = this.#digest.answerChallenge(res, creds, request);
      if (!answer.ok) return res;
      this.#realm = answer.realm;
      res = await this.opts.endpoint.sendRequest(build(answer), this.opts.dest);
    }
    const min = Number(res.headers.get("min-expires")?.trim());
    if (
      res.status === 423 &&
      expires > 0 &&
      Number.isInteger(min) &&
      min > expires &&
      min <= 86_400
    ) {
      this.#expires = min;
      return this.#exchange(min);
    }
    return res;
  }
}

/** The expiry granted to our Contact (its `expires` parameter, else the Expires header). */
function grantedExpires(res: SipResponse, contact: string): number | undefined {
  let fallback: number | undefined;
  for (const value of res.headers.getAll("contact")) {
    for (const part of value.split(/,(?=\s*(?:"[^"]*"\s*)?<)/)) {
      const na = parseNameAddr(part.trim());
      const e = na?.params.get("expires");
      if (e === undefined || e === null || !/^\d+$/.test(e)) continue;
      if (na?.uri === contact) return Number(e);
      fallback ??= Number(e);
    }
  }
  const header = res.headers.get("expires");
  if (header !== undefined && /^\d+$/.test(header.trim())) return Number(header.trim());
  return fallback;
}
