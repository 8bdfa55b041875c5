// Taking a call over (README "Internet call waiting"): a new leg (RFC 3261 §13.2, SDP offer per RFC 3264), a deposit
// view a takeover can end without hanging up, and the G.711 frame relay between the two legs.

import type { Logger } from "pino";
import type { Destination } from "../../protocols/sip/endpoint.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import type { CallEnd, CallLeg } from "./call-leg.ts";
import { keepMediaAlive } from "./liveness.ts";
import { type DialContext, type OutboundCallOptions, openCall } from "./outbound-call.ts";

export type { DialContext } from "./outbound-call.ts";

/** The far side of a takeover: an answered outbound call with its audio. */
export interface OutboundLeg {
  sendFrame(pcm: Int16Array): void;
  onFrame(listener: (pcm: Int16Array) => void): () => void;
  readonly ended: Promise<unknown>;
  hangup(): Promise<void>;
  /** The call's SIP Call-ID (a live deposit's native id in the legacy box). */
  readonly callId?: string;
}

export type DialOptions = Omit<OutboundCallOptions, "onFrame">;

/**
 * Places a call and opens its RTP; rejects with CallFailedError when it is not answered. With
 * `liveness` the leg keeps its stream alive and ends after that long without RTP.
 */
export async function dialLeg(
  ctx: DialContext,
  opts: DialOptions,
  liveness?: { timeoutMs: number; log: Logger },
): Promise<OutboundLeg> {
  const { session, rtp } = await openCall(ctx, opts);
  void session.ended.then(() => rtp.close());
  if (liveness) {
    keepMediaAlive(rtp, {
      ...liveness,
      send: true,
      listens: false,
      hangup: () => session.hangup(),
    });
  }
  return {
    sendFrame: (pcm) => rtp.sendFrame(pcm),
    onFrame: (listener) => rtp.addFrameListener(listener),
    ended: session.ended,
    hangup: async () => {
      await session.hangup();
      rtp.close();
    },
    callId: session.dialog.state.callId,
  };
}

/** Where a takeover call goes: a sip: URI to its own host, a tel: number through the proxy. */
export function dialTarget(
  to: string,
  proxy: { host: string; port: number } | undefined,
): { uri: string; dest: Destination } | { refused: string } {
  const uri = parseUri(to);
  if (!uri) return { refused: `"${to}" is not a tel: or sip: URI` };
  if (uri.scheme === "tel") {
    if (!proxy) return { refused: "calls to tel: numbers need icw.outboundProxy in the config" };
    const number = uri.user ?? to.slice(4);
    return {
      uri: `sip:${number}@${proxy.host}:${proxy.port}`,
      dest: { host: proxy.host, port: proxy.port, transport: "udp" },
    };
  }
  if (uri.scheme === "sips") return { refused: "sips: needs TLS, which omnivox does not speak" };
  const transport = uri.params.get("transport")?.toLowerCase() === "tcp" ? "tcp" : "udp";
  const host = uri.host.replace(/^\[|\]$/g, "");
  return { uri: to, dest: { host, port: uri.port ?? 5060, transport } };
}

/**
 * The deposit's view of the caller: the same call, except that `interrupt()` makes it look hung
 * up, so the deposit keeps what it recorded while the caller stays on the line.
 */
export function interruptible(leg: CallLeg): { leg: CallLeg; interrupt(): void } {
  let interrupt!: () => void;
  const interrupted = new Promise<CallEnd>((resolve) => {
    interrupt = () => resolve("local-hangup");
  });
  const view: CallLeg = {
    id: leg.id,
    party: leg.party,
    play: (samples, opts) => leg.play(samples, opts),
    onFrame: (listener) => leg.onFrame(listener),
    onDigit: (listener) => leg.onDigit(listener),
    ended: Promise.race([leg.ended, interrupted]),
    beforeHangupAck: (task) => leg.beforeHangupAck(task),
    hangup: () => leg.hangup(),
  };
  return { leg: view, interrupt };
}

/**
 * Relays audio between the caller and `other` until either ends; then hangs up `other` (the
 * caller's leg belongs to the telephone service, which hangs it up itself).
 */
export async function relay(
  caller: CallLeg,
  toCaller: (pcm: Int16Array) => void,
  other: OutboundLeg,
): Promise<void> {
  // Silence our clock made up for the caller's missing packets stays here: the other leg's own
  // keep-alive covers the gap on its timeline, so nothing is sent twice.
  const offCaller = caller.onFrame((pcm, idle) => {
    if (!idle) other.sendFrame(pcm);
  });
  const offOther = other.onFrame((pcm) => toCaller(pcm));
  try {
    await Promise.race([caller.ended, other.ended]);
  } finally {
    offCaller();
    offOther();
    await other.hangup();
  }
}
