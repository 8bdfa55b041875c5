// A SIP dialog (RFC 3261 §12): the state two UAs share after an INVITE or SUBSCRIBE — Call-ID,
// tags, URIs, remote target, route set, CSeq numbers — and the in-dialog requests built from it.
// Requests follow the route set: loose routing (§16.12, §19.1.2), and the strict-route
// compatibility of §12.2.1.1 when the first route has no ;lr.

import type { Destination, IncomingRequest } from "../endpoint.ts";
import { createRequest } from "../endpoint-request.ts";
import { SipError } from "../errors.ts";
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

/** A dialog that cannot be formed (400) or a route set we cannot follow (416, RFC 3261 §8.1.2). */
export class DialogError extends SipError {
  constructor(message: string, status = 400, reason = "Bad Request") {
    super(status, reason, message);
  }
}

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
    throw new DialogError(`cannot route to "${uri}"`, 416, "Unsupported URI Scheme");
  const param = parsed.params.get("transport")?.toLowerCase();
  const transport =
    parsed.scheme === "sips" || param === "tls" ? "tls" : param === "tcp" ? "tcp" : "udp";
  const port = parsed.port ?? (transport === "tls" ? 5061 : 5060);
  return { host: parsed.host.replace(/^\[|\]$/g, ""), port, transport };
}

/** Where a request with this route set goes first: its first route, or else the target. */
export function firstHop(routeSet: readonly string[], remoteTarget: string): Destination {
  return destinationOf(routeSet[0] ? bareUri(routeSet[0]) : remoteTarget);
}

/**
 * The Request-URI and Route headers of a request sent with `routeSet` to `remoteTarget`
 * (§12.2.1.1). A loose router first (;lr) leaves the Request-URI on the target; a strict one
 * becomes the Request-URI itself (without the parameters and headers a Request-URI may not
 * carry, §19.1.1) and the target goes last in Route, where the strict router will find it.
 */
export function requestTarget(
  routeSet: readonly string[],
  remoteTarget: string,
): { uri: string; routes: string[] } {
  const first = routeSet[0];
  if (first === undefined) return { uri: remoteTarget, routes: [] };
  const parsed = parseUri(bareUri(first));
  if (!parsed || parsed.scheme === "tel")
    throw new DialogError(`cannot route via "${first}"`, 416, "Unsupported URI Scheme");
  if (parsed.params.has("lr")) return { uri: remoteTarget, routes: [...routeSet] };
  const uri = bareUri(first)
    .replace(/\?.*$/, "")
    .replace(/;method=[^;]*/gi, "");
  return { uri, routes: [...routeSet.slice(1), `<${remoteTarget}>`] };
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
  private constructor(
    readonly state: DialogState,
    /** In-dialog requests go to the remote target itself (no route set, not symmetric). */
    private readonly toTarget = false,
  ) {}

  get key(): string {
    return dialogKey(this.state.callId, this.state.localTag, this.state.remoteTag);
  }

  /**
   * A dialog another process held, from its state (a cluster node that died, docs/cluster.md
   * "Phones"). `skipSeq` moves our CSeq past what that process may have sent since it was
   * stored, so the peer's §12.2.2 ordering still holds.
   */
  static restore(state: DialogState, skipSeq: number): Dialog {
    return new Dialog({
      ...state,
      routeSet: [...state.routeSet],
      localSeq: state.localSeq + skipSeq,
    });
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
      destination: routeSet[0] ? firstHop(routeSet, remoteTarget) : sourceDestination(req.source),
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
    let toTarget = routeSet.length === 0;
    try {
      destination = firstHop(routeSet, remoteTarget);
    } catch {
      destination = fallback;
      toTarget = false;
    }
    // Over TCP/TLS with no route set the dialog stays on the connection the INVITE went out on
    // (RFC 5626 §5.3): a phone reached over its registration's flow may be behind a NAT that
    // its own Contact cannot cross.
    if (!routeSet[0] && fallback.transport !== "udp") {
      destination = fallback;
      toTarget = false;
    }
    return new Dialog(
      {
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
      },
      toTarget,
    );
  }

  /**
   * A target refresh (§12.2): the new Contact is the remote target; without a route set the
   * requests that follow go there. The route set itself never changes (§12.2.1.2).
   */
  retarget(target: string): void {
    this.state.remoteTarget = target;
    if (!this.toTarget) return;
    try {
      this.state.destination = destinationOf(target);
    } catch {
      // An unusable new Contact: keep sending where the dialog has worked so far.
    }
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
    const target = requestTarget(s.routeSet, s.remoteTarget);
    const routes: Array<[string, string]> = target.routes.map((r) => ["Route", r]);
    return createRequest({
      method,
      uri: target.uri,
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
    if (target && (req.method === "INVITE" || req.method === "UPDATE")) this.retarget(target);
    return true;
  }
}
