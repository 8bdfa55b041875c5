// Placing a call whose audio another system relays (README "Internet call waiting", dual deposit):
// a new leg (RFC 3261 §13.2, SDP offer per RFC 3264), and where a takeover target is called.

import type { Logger } from "pino";
import type { CallTarget, OutboundLeg } from "../../core/telephony.ts";
import type { Destination } from "../../protocols/sip/endpoint.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import { keepMediaAlive } from "./liveness.ts";
import { type DialContext, type OutboundCallOptions, openCall } from "./outbound-call.ts";
import { type Trunk, trunkCall, trunkFor } from "./trunks.ts";

export type { DialContext } from "./outbound-call.ts";

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
 * Where a takeover to `to` goes: a tel: number the trunks' prefixes match through that trunk
 * with its credentials, another tel: number through `proxy`, a sip: URI direct.
 */
export function takeoverRoute(
  trunks: readonly Trunk[],
  domain: string,
): (to: string, proxy?: { host: string; port: number }) => CallTarget {
  return (to, proxy) => {
    const number = /^tel:([+0-9*#]{1,32})$/i.exec(to.replace(/[\s().-]/g, ""))?.[1];
    const trunk = number ? trunkFor(trunks, number) : undefined;
    if (trunk && number) {
      return {
        ...trunkCall(trunk, number),
        fromHost: trunk.fromDomain,
        ...(trunk.credentials ? { credentials: trunk.credentials } : {}),
      };
    }
    const target = dialTarget(to, proxy);
    return "refused" in target ? target : { ...target, fromHost: domain };
  };
}
