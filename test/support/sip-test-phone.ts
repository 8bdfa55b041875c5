// Test support for the registrar and MWI tests: a minimal phone on its own endpoint that sends
// REGISTER and SUBSCRIBE, answers 401 challenges with DigestClient and records NOTIFYs.

import { DigestClient } from "../../src/protocols/sip/auth/index.ts";
import { Dialog } from "../../src/protocols/sip/dialog/dialog.ts";
import {
  createRequest,
  type Destination,
  newCallId,
  newTag,
  SipEndpoint,
} from "../../src/protocols/sip/endpoint.ts";
import type { SipRequest, SipResponse } from "../../src/protocols/sip/message/index.ts";

export interface Exchange {
  /** The answer to the request without credentials. */
  first: SipResponse;
  /** The answer after credentials were added (the first one again when it was no 401). */
  final: SipResponse;
}

export class TestPhone {
  readonly endpoint = new SipEndpoint({
    udp: { host: "127.0.0.1", port: 0 },
    timers: { t1: 20, t2: 80, t4: 100 },
  });
  readonly notifies: SipRequest[] = [];
  /** The status this phone answers NOTIFYs with. */
  notifyStatus = 200;
  password: string;
  readonly #digest = new DigestClient();
  readonly #regCallId = newCallId("phone.test");
  #regSeq = 1;
  #waiters: Array<() => void> = [];

  constructor(
    readonly user: string,
    password: string,
    readonly server: Destination,
    readonly domain: string,
  ) {
    this.password = password;
  }

  async start(): Promise<void> {
    await this.endpoint.start();
    this.endpoint.onRequest(
      (req) => {
        this.notifies.push(req.message);
        req.transaction.respond(this.notifyStatus);
        for (const w of this.#waiters.splice(0)) w();
      },
      { methods: ["NOTIFY"] },
    );
  }

  stop(): Promise<void> {
    return this.endpoint.stop();
  }

  get contact(): string {
    return `sip:${this.user}@127.0.0.1:${this.endpoint.localAddress("udp")?.port ?? 0}`;
  }

  /** Sends `build()`; on a 401 answers the challenge and sends `build()` again. */
  async withAuth(build: () => SipRequest, dest: Destination = this.server): Promise<Exchange> {
    const first = await this.endpoint.sendRequest(build(), dest);
    if (first.status !== 401) return { first, final: first };
    const retry = build();
    const answer = this.#digest.answerChallenge(
      first,
      { username: this.user, password: this.password },
      { method: retry.method, uri: retry.uri },
    );
    if (!answer.ok) throw new Error(`cannot answer the challenge: ${answer.reason}`);
    retry.headers.add(answer.header, answer.value);
    return { first, final: await this.endpoint.sendRequest(retry, dest) };
  }

  register(headers: Array<[string, string]> = [], aorUser = this.user): Promise<Exchange> {
    const aor = `sip:${aorUser}@${this.domain}`;
    return this.withAuth(() =>
      createRequest({
        method: "REGISTER",
        uri: `sip:${this.domain}`,
        from: { uri: aor, tag: newTag() },
        to: { uri: aor },
        callId: this.#regCallId,
        cseq: this.#regSeq++,
        contact: this.contact,
        headers,
      }),
    );
  }

  /** An initial SUBSCRIBE; the dialog is set when the final answer is a 2xx. */
  async subscribe(
    headers: Array<[string, string]> = [["Event", "message-summary"]],
    mailbox = this.user,
  ): Promise<Exchange & { dialog?: Dialog; request: SipRequest }> {
    const uri = `sip:${mailbox}@${this.domain}`;
    const callId = newCallId("phone.test");
    const tag = newTag();
    let seq = 1;
    let request!: SipRequest;
    const exchange = await this.withAuth(() => {
      request = createRequest({
        method: "SUBSCRIBE",
        uri,
        from: { uri: `sip:${this.user}@${this.domain}`, tag },
        to: { uri },
        callId,
        cseq: seq++,
        contact: this.contact,
        headers,
      });
      return request;
    });
    if (exchange.final.status >= 300) return { ...exchange, request };
    const dialog = Dialog.asClient(request, exchange.final, this.contact, this.server);
    return { ...exchange, dialog, request };
  }

  /** A SUBSCRIBE inside the subscription's dialog (a refresh, or an unsubscribe with 0). */
  resubscribe(dialog: Dialog, expires: number): Promise<Exchange> {
    return this.withAuth(
      () =>
        dialog.request("SUBSCRIBE", {
          headers: [
            ["Event", "message-summary"],
            ["Expires", String(expires)],
          ],
        }),
      dialog.state.destination,
    );
  }

  /** The new voice messages each message-summary NOTIFY so far announced (RFC 3842 §5.2). */
  lamps(): Array<string | undefined> {
    return this.notifies.map((r) => /Voice-Message:\s*(\d+)\//i.exec(r.body.toString())?.[1]);
  }

  /** Resolves once this phone has received `count` NOTIFYs in all. */
  async waitNotifies(count: number, timeoutMs = 2000): Promise<SipRequest[]> {
    const end = Date.now() + timeoutMs;
    while (this.notifies.length < count) {
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(
          `expected ${count} NOTIFYs, got ${this.notifies.length} in ${timeoutMs} ms`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.notifies.slice(0, count);
  }
}
