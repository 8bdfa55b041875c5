// A SIP dialog (RFC 3261 §12): the state two UAs share after an INVITE or SUBSCRIBE — Call-ID,
// tags, URIs, remote target, route set, CSeq numbers — and the in-dialog requests built from it.
// Loose routing only (§16.12: every route we have seen carries ;lr); strict routing is refused.

import type { Destination, IncomingRequest } from "../endpoint.ts";
import { createRequest } from "../endpoint-request.ts";
import {
  parseCSeq,
  parseNameAddr,
  parseUri,
  type SipRequest,
  type SipResponse,
} from "../message/index.ts";
import type { MessageSource } from "../transport/types.ts";

export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  localContact: string;
  /** Where in-dialog requests go (first route, the peer's source address, or the remote target). */
  destination: Destination;
}

export class DialogError extends Error {}

/** The key under which the endpoint finds a dialog for a request it received. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/**
 * Where a SIP URI is reached: its host and port and its transport — TLS for a sips: URI or
 * `;transport=tls` (default port 5061, RFC 3261 §19.1.2, §26.2), else the `transport` parameter.
 */
export function destinationOf(uri: string): Destination {
  const parsed = parseUri(uri.replace(/^<|>.*$/g, ""));
  if (!parsed || parsed.scheme === "tel" || !parsed.host)
    throw new DialogError(`cannot route to "${uri}"`);
  const param = parsed.params.get("transport")?.toLowerCase();
  const transport =
    parsed.scheme === "sips" || param === "tls" ? "tls" : param === "tcp" ? "tcp" : "udp";
  const port = parsed.port ?? (transport === "tls" ? 5061 : 5060);
  return { host: parsed.host.replace(/^\[|\]$/g, ""), port, transport };
}

function sourceDestination(source: MessageSource): Destination {
  return { host: source.host, port: source.port, transport: source.transport };
}

function contactUri(msg: SipRequest | SipResponse): string | undefined {
  const value = msg.headers.get("contact");
  return value ? parseNameAddr(value)?.uri : undefined;
}

function bareUri(headerValue: string | undefined): string {
  return (headerValue ? parseNameAddr(headerValue)?.uri : undefined) ?? "";
}

export class Dialog {
  private constructor(readonly state: DialogState) {}

  get key(): string {
    return dialogKey(this.state.callId, this.state.localTag, this.state.remoteTag);
  }

  /**
   * The UAS side (§12.1.1), from a dialog-creating request. In-dialog requests go back to the
   * address the request came from unless a route set says otherwise: phones behind NAT
   * advertise Contacts we cannot reach, and symmetric signalling is what they expect.
   */
  static asServer(req: IncomingRequest, localTag: string, localContact: string): Dialog {
    const m = req.message;
    const from = parseNameAddr(m.headers.get("from") ?? "");
    const cseq = parseCSeq(m.headers.get("cseq") ?? "");
    const remoteTarget = contactUri(m);
    if (!from?.tag || !cseq || !remoteTarget)
      throw new DialogError("the request lacks a From tag, CSeq or Contact");
    const routeSet = m.headers.getAll("record-route");
    return new Dialog({
      callId: m.headers.get("call-id") ?? "",
      localTag,
      remoteTag: from.tag,
      localUri: bareUri(m.headers.get("to")),
      remoteUri: from.uri,
      remoteTarget,
      routeSet,
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      remoteSeq: cseq.seq,
      localContact,
      destination: routeSet[0]
        ? destinationOf(bareUri(routeSet[0]))
        : sourceDestination(req.source),
    });
  }

  /** The UAC side (§12.1.2), from the request we sent and the 2xx that established the dialog. */
  static asClient(
    req: SipRequest,
    res: SipResponse,
    localContact: string,
    fallback: Destination,
  ): Dialog {
    const from = parseNameAddr(req.headers.get("from") ?? "");
    const to = parseNameAddr(res.headers.get("to") ?? "");
    const cseq = parseCSeq(req.headers.get("cseq") ?? "");
    if (!from?.tag || !to?.tag || !cseq) throw new DialogError("the response lacks a To tag");
    const routeSet = [...res.headers.getAll("record-route")].reverse();
    const remoteTarget = contactUri(res) ?? req.uri;
    let destination: Destination;
    try {
      destination = destinationOf(routeSet[0] ? bareUri(routeSet[0]) : remoteTarget);
    } catch {
      destination = fallback;
    }
    // Over TCP/TLS with no route set the dialog stays on the connection the INVITE went out on
    // (RFC 5626 §5.3): a phone reached over its registration's flow may be behind a NAT that
    // its own Contact cannot cross.
    if (!routeSet[0] && fallback.transport !== "udp") destination = fallback;
    return new Dialog({
      callId: req.headers.get("call-id") ?? "",
      localTag: from.tag,
      remoteTag: to.tag,
      localUri: from.uri,
      remoteUri: to.uri,
      remoteTarget,
      routeSet,
      localSeq: cseq.seq,
      remoteSeq: undefined,
      localContact,
      destination,
    });
  }

  /** A new request inside the dialog (§12.2.1.1), with the next local CSeq. */
  request(
    method: string,
    opts: { headers?: Array<[string, string]>; body?: Buffer; contentType?: string } = {},
  ): SipRequest {
    if (method !== "ACK" && method !== "CANCEL") this.state.localSeq++;
    return this.#build(method, this.state.localSeq, opts);
  }

  /** The ACK for a 2xx to the INVITE with CSeq `seq` (§13.2.2.4): same number, method ACK. */
  ack(seq: number, opts: { body?: Buffer; contentType?: string } = {}): SipRequest {
    return this.#build("ACK", seq, opts);
  }

  #build(
    method: string,
    cseq: number,
    opts: { headers?: Array<[string, string]>; body?: Buffer; contentType?: string },
  ): SipRequest {
    const s = this.state;
    const routes: Array<[string, string]> = s.routeSet.map((r) => ["Route", r]);
    return createRequest({
      method,
      uri: s.remoteTarget,
      from: { uri: s.localUri, tag: s.localTag },
      to: { uri: s.remoteUri, tag: s.remoteTag },
      callId: s.callId,
      cseq,
      contact: s.localContact,
      headers: [...routes, ...(opts.headers ?? [])],
      ...(opts.body ? { body: opts.body } : {}),
      ...(opts.contentType ? { contentType: opts.contentType } : {}),
    });
  }

  /**
   * Checks a request received in the dialog (§12.2.2): its CSeq must be higher than the last
   * one. Returns false for an out-of-order request, which the caller answers 500.
   */
  acceptRemote(req: SipRequest): boolean {
    const cseq = parseCSeq(req.headers.get("cseq") ?? "");
    if (!cseq) return false;
    if (req.method === "ACK" || req.method === "CANCEL") return true;
    if (this.state.remoteSeq !== undefined && cseq.seq <= this.state.remoteSeq) return false;
    this.state.remoteSeq = cseq.seq;
    const target = contactUri(req);
    if (target && (req.method === "INVITE" || req.method === "UPDATE"))
      this.state.remoteTarget = target;
    return true;
  }
}
