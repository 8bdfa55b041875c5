// A legacy voicemail system for tests (no real one installs on these machines): a
// SIP UA on UDP that serves message-summary subscriptions and takes deposits, plus an SMDI peer.
// Test-only, never shipped: built on our SIP stack, but its MWI and SMDI wire text is its own.

import { answerChallenge } from "../../../src/protocols/sip/auth/index.ts";
import { DialogRegistry } from "../../../src/protocols/sip/dialog/registry.ts";
import {
  createRequest,
  type Destination,
  newCallId,
  newTag,
  SipEndpoint,
} from "../../../src/protocols/sip/endpoint.ts";
import { type SimDepositOptions, SimDeposits } from "./deposit.ts";
import { SimMwi, type SimMwiOptions } from "./sip-mwi.ts";

export type { SimDeposit } from "./deposit.ts";
export { type MailboxState, type SubscribeSeen, summaryBody } from "./sip-mwi.ts";
export { SmdiPeer, type SwitchFrame } from "./smdi-peer.ts";

export interface LegacyVmOptions {
  /** The loopback address it binds (another 127.x.y.z makes an "unconfigured host"). */
  host?: string;
  auth?: SimMwiOptions["auth"];
  minExpires?: number;
  maxExpires?: number;
  notifyBeforeOk?: boolean;
  refuseDeposits?: SimDepositOptions["refuseWith"];
  /** Also open a TCP transport (for requests it sends over TCP). */
  tcp?: boolean;
}

export class LegacyVoicemailSim {
  readonly host: string;
  readonly endpoint: SipEndpoint;
  readonly dialogs: DialogRegistry;
  readonly mwi: SimMwi;
  readonly deposits: SimDeposits;
  #port = 0;

  constructor(o: LegacyVmOptions = {}) {
    this.host = o.host ?? "127.0.0.1";
    this.endpoint = new SipEndpoint({
      udp: { host: this.host, port: 0 },
      ...(o.tcp ? { tcp: { host: this.host, port: 0 } } : {}),
      timers: { t1: 20, t2: 80, t4: 100 },
      userAgent: "legacy-vm-sim",
    });
    this.dialogs = new DialogRegistry(this.endpoint);
    const contact = () => `sip:vm@${this.host}:${this.#port}`;
    this.mwi = new SimMwi(this.endpoint, this.dialogs, {
      contact,
      ...(o.auth ? { auth: o.auth } : {}),
      ...(o.minExpires !== undefined ? { minExpires: o.minExpires } : {}),
      ...(o.maxExpires !== undefined ? { maxExpires: o.maxExpires } : {}),
      ...(o.notifyBeforeOk ? { notifyBeforeOk: true } : {}),
    });
    this.deposits = new SimDeposits(this.endpoint, this.dialogs, {
      host: this.host,
      contact,
      ...(o.refuseDeposits ? { refuseWith: o.refuseDeposits } : {}),
    });
  }

  async start(): Promise<this> {
    const bound = await this.endpoint.start();
    this.#port = bound.udp?.port ?? 0;
    return this;
  }

  get port(): number {
    return this.#port;
  }

  /** A mailbox's SIP URI on this system (what a profile's `uri` or `depositUri` names). */
  uri(mailbox: string): string {
    return `sip:${mailbox}@${this.host}:${this.#port}`;
  }

  /**
   * An out-of-dialog NOTIFY (no subscription) to `dest`; resolves with the final answer's
   * status. With `credentials` a 401 is answered once, as a box that authenticates its NOTIFYs.
   */
  async unsolicited(
    dest: Destination,
    requestUri: string,
    body: string,
    headers: Array<[string, string]> = [["Subscription-State", "active"]],
    credentials?: { username: string; password: string },
  ): Promise<number> {
    const callId = newCallId(this.host);
    const fromTag = newTag();
    const build = (cseq: number, auth: Array<[string, string]>) =>
      createRequest({
        method: "NOTIFY",
        uri: requestUri,
        from: { uri: `sip:vm@${this.host}:${this.#port}`, tag: fromTag },
        to: { uri: requestUri },
        callId,
        cseq,
        contact: `sip:vm@${this.host}:${this.#port}`,
        headers: [["Event", "message-summary"], ...headers, ...auth],
        body: Buffer.from(body, "utf8"),
        contentType: "application/simple-message-summary",
      });
    const first = await this.endpoint.sendRequest(build(1, []), dest);
    if (first.status !== 401 || credentials === undefined) return first.status;
    const answer = answerChallenge(first, credentials, { method: "NOTIFY", uri: requestUri });
    if (!answer.ok) return first.status;
    return (await this.endpoint.sendRequest(build(2, [[answer.header, answer.value]]), dest))
      .status;
  }

  async stop(): Promise<void> {
    this.mwi.close();
    this.deposits.close();
    this.dialogs.close();
    await this.endpoint.stop();
  }
}
