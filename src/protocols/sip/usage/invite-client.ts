// The calling side of a call (RFC 3261 §13.2): INVITE with our SDP offer, one retry with digest
// credentials on 401/407, the ACK for the 2xx (re-sent for each 2xx retransmission, §13.2.2.4),
// and BYE in either direction.

import { DigestClient } from "../auth/client.ts";
import { Dialog, firstHop, requestTarget } from "../dialog/dialog.ts";
import type { DialogRegistry } from "../dialog/registry.ts";
import type { Destination, IncomingRequest, SipEndpoint } from "../endpoint.ts";
import { createCancel, createRequest, newCallId, newTag } from "../endpoint-request.ts";
import { SipError } from "../errors.ts";
import { parseCSeq, type SipRequest, type SipResponse } from "../message/index.ts";

/** The INVITE got a final non-2xx (or none: 408, 503): `status` and `reason` say which. */
export class CallFailedError extends SipError {
  constructor(status: number, reason: string, message = `call failed: ${status} ${reason}`) {
    super(status, reason, message);
  }
}

export interface PlaceCallOptions {
  endpoint: SipEndpoint;
  dialogs: DialogRegistry;
  /** Request-URI of the callee. */
  uri: string;
  /** The next hop; ignored when `routes` names one. */
  dest: Destination;
  /**
   * A preloaded route set (RFC 3261 §8.1.2), e.g. the Path a phone registered through
   * (RFC 3327 §5.3): the INVITE carries it as Route and goes to its first hop.
   */
  routes?: readonly string[];
  from: { uri: string; displayName?: string };
  localContact: string;
  offer: Buffer;
  credentials?: { username: string; password: string };
  headers?: Array<[string, string]>;
  onProvisional?: (res: SipResponse) => void;
  /** Gives up (CANCEL) when nobody answers in time. */
  answerTimeoutMs?: number;
  /**
   * Gives up (CANCEL, once a provisional response came, RFC 3261 §9.1) when aborted, e.g. when
   * another fork answered; `cancelReason` is then the CANCEL's Reason header (RFC 3326).
   */
  signal?: AbortSignal;
  cancelReason?: string;
}

export type ClientSessionEnd = "remote-bye" | "local-bye";

export class InviteClientSession {
  readonly ended: Promise<ClientSessionEnd>;
  #end!: (why: ClientSessionEnd) => void;
  #active = true;
  readonly #removeDialog: () => void;

  constructor(
    private readonly endpoint: SipEndpoint,
    dialogs: DialogRegistry,
    readonly dialog: Dialog,
    readonly answer: Buffer,
    private readonly inviteSeq: number,
  ) {
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
    this.#removeDialog = dialogs.add(dialog.key, {
      onRequest: (req) => this.#inDialog(req),
      onLateResponse: () => void this.sendAck(),
    });
  }

  sendAck(): Promise<void> {
    return this.endpoint.sendAck(this.dialog.ack(this.inviteSeq), this.dialog.state.destination);
  }

  async hangup(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    try {
      await this.endpoint.sendRequest(this.dialog.request("BYE"), this.dialog.state.destination);
    } catch {
      // Gone already: the call is over either way.
    }
    this.#finish("local-bye");
  }

  #inDialog(req: IncomingRequest): void {
    if (!this.dialog.acceptRemote(req.message)) {
      req.transaction.respond(500, "Server Internal Error");
      return;
    }
    if (req.message.method === "BYE") {
      this.#active = false;
      req.transaction.respond(200, "OK");
      this.#finish("remote-bye");
    } else if (req.message.method === "INVITE") {
      req.transaction.respond(200, "OK", {
        headers: [["Contact", `<${this.dialog.state.localContact}>`]],
        body: this.answer,
        contentType: "application/sdp",
      });
    } else {
      req.transaction.respond(200, "OK");
    }
  }

  #finish(why: ClientSessionEnd): void {
    this.#removeDialog();
    this.#end(why);
  }
}

function invite(
  opts: PlaceCallOptions,
  callId: string,
  fromTag: string,
  cseq: number,
  auth?: [string, string],
): SipRequest {
  const target = requestTarget(opts.routes ?? [], opts.uri);
  return createRequest({
    method: "INVITE",
    uri: target.uri,
    from: { ...opts.from, tag: fromTag },
    to: { uri: opts.uri },
    callId,
    cseq,
    contact: opts.localContact,
    headers: [
      ...target.routes.map((r): [string, string] => ["Route", r]),
      ...(opts.headers ?? []),
      ...(auth ? [auth] : []),
    ],
    body: opts.offer,
    contentType: "application/sdp",
  });
}

/** Places a call; resolves when it is answered (ACK sent), rejects with CallFailedError. */
export async function placeCall(options: PlaceCallOptions): Promise<InviteClientSession> {
  const opts = options.routes?.length
    ? { ...options, dest: firstHop(options.routes, options.uri) }
    : options;
  const callId = newCallId(opts.dest.host);
  const fromTag = newTag();
  const digest = new DigestClient();
  let cseq = 1;
  let req = invite(opts, callId, fromTag, cseq);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (opts.signal?.aborted) throw new CallFailedError(487, "Request Terminated");
    const sent = req;
    let timer: NodeJS.Timeout | undefined;
    const cancel = (reason?: string) => {
      const c = createCancel(sent);
      if (reason) c.headers.add("Reason", reason);
      void opts.endpoint.sendRequest(c, opts.dest).catch(() => undefined);
    };
    if (opts.answerTimeoutMs) timer = setTimeout(() => cancel(), opts.answerTimeoutMs);
    let provisional = false;
    let cancelOnProvisional = false;
    const onAbort = () => {
      if (provisional) cancel(opts.cancelReason);
      else cancelOnProvisional = true;
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    let res: SipResponse;
    try {
      res = await opts.endpoint.sendRequest(sent, opts.dest, {
        onProvisional: (p) => {
          if (!provisional && cancelOnProvisional) cancel(opts.cancelReason);
          provisional = true;
          opts.onProvisional?.(p);
        },
      });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
    if (res.status >= 200 && res.status < 300) {
      const dialog = Dialog.asClient(sent, res, opts.localContact, opts.dest);
      const seq = parseCSeq(sent.headers.get("cseq") ?? "")?.seq ?? cseq;
      const session = new InviteClientSession(opts.endpoint, opts.dialogs, dialog, res.body, seq);
      await session.sendAck();
      return session;
    }
    const retry = !opts.signal?.aborted;
    if ((res.status === 401 || res.status === 407) && opts.credentials && attempt === 0 && retry) {
      const answer = digest.answerChallenge(res, opts.credentials, {
        method: "INVITE",
        uri: sent.uri,
      });
      if (answer.ok) {
        cseq++;
        req = invite(opts, callId, fromTag, cseq, [answer.header, answer.value]);
        continue;
      }
    }
    throw new CallFailedError(res.status, res.reason);
  }
  throw new CallFailedError(401, "Unauthorized");
}
