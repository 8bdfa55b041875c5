// Sends one SUBSCRIBE for the subscriber (RFC 6665 §4.1.2): credentials on the last nonce of the
// realm up front, an answer to a 401/407 challenge (RFC 3261 §22.2), a retry at the Min-Expires
// of a 423, and the 2xx's granted duration and Retry-After read back.

import { type ClientCredentials, DigestClient, parseDigestChallenge } from "../../auth/index.ts";
import type { Destination, SipEndpoint } from "../../endpoint.ts";
import type { SipRequest, SipResponse } from "../../message/index.ts";

export type Outcome = { req: SipRequest; res: SipResponse } | { error: string };

export class SubscribeSender {
  readonly #digest = new DigestClient();
  #realm: string | undefined;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly credentials: ClientCredentials | undefined,
  ) {}

  /**
   * Sends what `build` makes (given the authorization header to add), at most three times.
   * `tooBrief` is asked on a 423 with the Min-Expires; true sends again (build reads the new value).
   */
  async send(
    uri: string,
    dest: Destination,
    build: (auth: Array<[string, string]>) => SipRequest,
    tooBrief?: (minExpires: number) => boolean,
  ): Promise<Outcome> {
    const creds = this.credentials;
    let auth: Array<[string, string]> = [];
    if (creds && this.#realm !== undefined) {
      const a = this.#digest.authorize(this.#realm, creds, { method: "SUBSCRIBE", uri });
      if (a.ok) auth = [[a.header, a.value]];
    }
    for (let attempt = 0; ; attempt++) {
      const req = build(auth);
      let res: SipResponse;
      try {
        res = await this.endpoint.sendRequest(req, dest);
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
      if (attempt >= 2) return { req, res };
      if ((res.status === 401 || res.status === 407) && creds) {
        // A new challenge after our answer, unless only the nonce was stale, means bad credentials.
        if (attempt > 0 && !isStale(res)) return { req, res };
        const a = this.#digest.answerChallenge(res, creds, { method: "SUBSCRIBE", uri });
        if (!a.ok) return { req, res };
        this.#realm = a.realm;
        auth = [[a.header, a.value]];
        continue;
      }
      const min = Number(res.headers.get("min-expires") ?? Number.NaN);
      if (res.status === 423 && Number.isInteger(min) && tooBrief?.(min)) continue;
      return { req, res };
    }
  }
}

function isStale(res: SipResponse): boolean {
  const name = res.status === 407 ? "proxy-authenticate" : "www-authenticate";
  return res.headers.getAll(name).some((v) => parseDigestChallenge(v)?.stale === true);
}

/** §4.1.2.1: the 2xx carries Expires; a notifier may shorten the duration, never lengthen it. */
export function grantedSeconds(res: SipResponse, asked: number): number {
  const v = (res.headers.get("expires") ?? "").trim();
  return /^[0-9]{1,10}$/.test(v) ? Math.min(Number(v), asked) : asked;
}

export function retryAfterMs(res: SipResponse): number | undefined {
  const m = /^\s*([0-9]{1,6})/.exec(res.headers.get("retry-after") ?? "");
  return m ? Number(m[1]) * 1000 : undefined;
}
